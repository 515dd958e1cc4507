using System.Text;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;

namespace Flagger.Modules.Tests.Workloads;

public sealed class PrimaryMetadataTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "podinfo",
        ["team"] = "a",
        ["teamwork"] = "b",
        ["kustomize.toolkit.fluxcd.io/name"] = "apps",
    };

    [Fact]
    public void Include_label_prefix_copies_only_matching_keys_and_never_flux_keys()
    {
        Assert.Empty(PrimaryMetadata.IncludeByPrefix(Labels, []));
        Assert.Empty(PrimaryMetadata.IncludeByPrefix(Labels, [""]));
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a", ["teamwork"] = "b" }, PrimaryMetadata.IncludeByPrefix(Labels, ["team"]));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo", ["team"] = "a", ["teamwork"] = "b" }, PrimaryMetadata.IncludeByPrefix(Labels, ["*"]));
    }

    [Fact]
    public void Primary_labels_rewrite_the_selector_label_and_drop_flux_keys()
    {
        Assert.Equal(
            new Dictionary<string, string> { ["app"] = "podinfo-primary", ["team"] = "a", ["teamwork"] = "b" },
            PrimaryMetadata.PrimaryLabels(Labels, "app", "podinfo-primary"));
    }

    [Fact]
    public void Template_annotations_replace_any_flagger_id_and_drop_flux_keys()
    {
        var annotations = new Dictionary<string, string> { ["flagger-id"] = "old", ["a"] = "1", ["helm.toolkit.fluxcd.io/x"] = "y" };

        Assert.Equal(new Dictionary<string, string> { ["flagger-id"] = "new", ["a"] = "1" }, PrimaryMetadata.TemplateAnnotations(annotations, "new"));
    }

    [Fact]
    public void Selector_label_detection_follows_the_configured_order()
    {
        var matchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "x", ["name"] = "y" };

        Assert.Equal(("name", "y"), SelectorLabels.Detect(matchLabels, WorkloadOptions.DefaultSelectorLabels));
        Assert.Null(SelectorLabels.Detect(matchLabels, ["app"]));
        Assert.Null(SelectorLabels.Detect(null, ["app"]));
    }

    [Fact]
    public void Options_bound_from_flags_split_comma_lists_and_default_the_selector_labels()
    {
        Assert.Equal(["app", "name", "app.kubernetes.io/name"], new WorkloadOptions().EffectiveSelectorLabels);
        Assert.Equal(["a", "b"], WorkloadOptions.SplitList(" a, ,b "));
        Assert.Empty(WorkloadOptions.SplitList(""));
    }
}

public sealed class RevisionHashTests
{
    private const string Ours = "0123456789abcdef";

    [Fact]
    public void The_hash_does_not_depend_on_map_order_or_unset_fields()
    {
        var a = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } } };
        var b = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }, Annotations = null } };

        Assert.Equal(RevisionHash.Compute(a), RevisionHash.Compute(b));
        Assert.Matches("^[0-9a-f]{16}$", RevisionHash.Compute(a));
    }

    [Fact]
    public void An_empty_dir_volume_is_part_of_the_hash()
    {
        var without = new V1PodTemplateSpec { Spec = new V1PodSpec { Volumes = [new V1Volume { Name = "v" }] } };
        var with = new V1PodTemplateSpec { Spec = new V1PodSpec { Volumes = [new V1Volume { Name = "v", EmptyDir = new V1EmptyDirVolumeSource() }] } };

        Assert.NotEqual(RevisionHash.Compute(without), RevisionHash.Compute(with));
    }

    [Fact]
    public void Daemonset_hash_treats_a_missing_empty_or_scale_to_zero_node_selector_alike()
    {
        V1PodTemplateSpec Template(Dictionary<string, string>? selector) => new() { Spec = new V1PodSpec { NodeSelector = selector } };

        var none = RevisionHash.OfDaemonSetTemplate(Template(null));
        Assert.Equal(none, RevisionHash.OfDaemonSetTemplate(Template([])));
        Assert.Equal(none, RevisionHash.OfDaemonSetTemplate(Template(new() { ["flagger.app/scale-to-zero"] = "true" })));
        Assert.NotEqual(none, RevisionHash.OfDaemonSetTemplate(Template(new() { ["kubernetes.io/os"] = "linux" })));
    }

    [Fact]
    public void Flagger_id_is_uuid_shaped_and_changes_with_revision_or_configs_only()
    {
        var configs = new Dictionary<string, string> { ["configmap/a"] = "1" };
        var id = RevisionHash.FlaggerId(Ours, configs);

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        Assert.Equal(id, RevisionHash.FlaggerId(Ours, new Dictionary<string, string> { ["configmap/a"] = "1" }));
        Assert.NotEqual(id, RevisionHash.FlaggerId(Ours, new Dictionary<string, string> { ["configmap/a"] = "2" }));
        Assert.NotEqual(id, RevisionHash.FlaggerId("fedcba9876543210", configs));
    }
}

public sealed class WorkloadReadinessTests
{
    private static readonly DateTimeOffset Now = WorkloadFixtures.Now;

    private static V1Deployment Deployment(int replicas, int updated, int total, int available, long generation = 1, long observed = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = "podinfo", Generation = generation },
        Spec = new V1DeploymentSpec { Replicas = replicas },
        Status = new V1DeploymentStatus { ObservedGeneration = observed, Replicas = total, UpdatedReplicas = updated, AvailableReplicas = available },
    };

    [Fact]
    public void A_deployment_waits_until_its_generation_is_observed() =>
        Assert.Equal(
            new ReadinessVerdict(true, "waiting for rollout to finish: observed deployment generation less than desired generation"),
            WorkloadReadiness.Deployment(Deployment(1, 1, 1, 1, generation: 2), 600, 100, Now));

    [Fact]
    public void A_deployment_waits_for_updated_replicas_then_old_replicas_then_availability()
    {
        Assert.Equal("waiting for rollout to finish: 1 out of 3 new replicas have been updated", WorkloadReadiness.Deployment(Deployment(3, 1, 3, 1), 600, 100, Now).Error);
        Assert.Equal("waiting for rollout to finish: 2 old replicas are pending termination", WorkloadReadiness.Deployment(Deployment(3, 3, 5, 3), 600, 100, Now).Error);
        Assert.Equal("waiting for rollout to finish: 2 of 3 (readyThreshold 100%) updated replicas are available", WorkloadReadiness.Deployment(Deployment(3, 3, 3, 2), 600, 100, Now).Error);
        Assert.Equal(ReadinessVerdict.Ready, WorkloadReadiness.Deployment(Deployment(3, 3, 3, 3), 600, 100, Now));
    }

    [Fact]
    public void The_ready_threshold_truncates_like_go()
    {
        // 3 updated × 0.5 = 1.5 → 1 replica must be available
        Assert.Equal(ReadinessVerdict.Ready, WorkloadReadiness.Deployment(Deployment(3, 3, 3, 1), 600, 50, Now));
        Assert.Equal("waiting for rollout to finish: 0 of 1 (readyThreshold 50%) updated replicas are available", WorkloadReadiness.Deployment(Deployment(3, 3, 3, 0), 600, 50, Now).Error);
    }

    [Fact]
    public void A_daemonset_waits_until_its_generation_is_observed() =>
        Assert.Equal(
            new ReadinessVerdict(true, "waiting for rollout to finish: observed daemonset generation less than desired generation"),
            WorkloadReadiness.DaemonSet(new V1DaemonSet { Metadata = new V1ObjectMeta { Generation = 2 }, Status = new V1DaemonSetStatus { ObservedGeneration = 1 } }, null, 600, 100, Now));

    [Fact]
    public void A_daemonset_without_a_last_transition_time_counts_as_past_its_deadline_as_upstream()
    {
        var daemonSet = new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Generation = 1 },
            Status = new V1DaemonSetStatus { ObservedGeneration = 1, DesiredNumberScheduled = 2, UpdatedNumberScheduled = 1, NumberAvailable = 1 },
        };

        Assert.Equal(new ReadinessVerdict(false, "exceeded its progressDeadlineSeconds: 600"), WorkloadReadiness.DaemonSet(daemonSet, null, 600, 100, Now));
    }
}

public sealed class ConfigTrackingTests
{
    [Fact]
    public void Scan_finds_every_reference_and_marks_optional_ones()
    {
        var refs = ConfigTracking.Scan(WorkloadFixtures.PodSpec());

        Assert.Equal(
            [
                "configmap/podinfo-config-all-env:True", "configmap/podinfo-config-env:True", "configmap/podinfo-config-init-env:True",
                "configmap/podinfo-config-missing:False", "configmap/podinfo-config-projected:True", "configmap/podinfo-config-vol:True",
                "secret/podinfo-secret-all-env:True", "secret/podinfo-secret-env:True", "secret/podinfo-secret-projected:True",
                "secret/podinfo-secret-vol:True",
            ],
            refs.Select(r => $"{r.Key}:{r.Required}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Rewrite_renames_only_tracked_references_and_leaves_the_input_untouched()
    {
        var spec = WorkloadFixtures.PodSpec();

        var rewritten = ConfigTracking.RewriteToPrimary(spec, new HashSet<string> { "configmap/podinfo-config-env", "secret/podinfo-secret-projected" });

        Assert.Equal("podinfo-config-env-primary", rewritten.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Name);
        Assert.Equal("podinfo-secret-projected-primary", rewritten.Volumes[2].Projected.Sources[1].Secret.Name);
        Assert.Equal("podinfo-secret-env", rewritten.Containers[0].Env[1].ValueFrom.SecretKeyRef.Name);
        Assert.Equal("podinfo-config-vol", rewritten.Volumes[0].ConfigMap.Name);
        Assert.Equal("podinfo-config-env", spec.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Name);
    }

    [Theory]
    [InlineData("disabled", true)]
    [InlineData("disable", true)]
    [InlineData("enabled", false)]
    [InlineData("Disabled", false)]
    public void The_opt_out_annotation_matches_values_starting_with_disable(string value, bool disabled) =>
        Assert.Equal(disabled, ConfigTracking.IsDisabled(new Dictionary<string, string> { ["flagger.app/config-tracking"] = value }));
}

public sealed class KubeTimeTests
{
    [Fact]
    public void Condition_times_from_the_api_are_read_as_utc_instants()
    {
        var condition = k8s.KubernetesJson.Deserialize<V1DeploymentCondition>("{\"type\":\"Available\",\"lastUpdateTime\":\"2026-11-26T07:59:30Z\"}");

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 59, 30, TimeSpan.Zero), KubeObjects.ToInstant(condition.LastUpdateTime));
        Assert.Equal(DateTimeOffset.MinValue, KubeObjects.ToInstant(null));
        Assert.Equal(
            new DateTimeOffset(2026, 11, 26, 7, 59, 30, TimeSpan.Zero),
            KubeObjects.ToInstant(new DateTime(2026, 11, 26, 7, 59, 30, DateTimeKind.Utc).ToLocalTime()));
    }
}
