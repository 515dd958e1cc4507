using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads;

public sealed class DeploymentControllerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static (InMemoryKube Kube, ITargetController Controller, Canary Canary) Setup(WorkloadOptions? options = null, Action<CanarySpec>? configure = null)
    {
        var kube = new InMemoryKube();
        kube.Seed(Deployment());
        SeedConfigs(kube);
        var canary = Canary(configure: configure);
        var (factory, _) = Factory(kube, options);
        return (kube, factory.Create(canary), canary);
    }

    private static V1PodSpec ExpectedPrimaryPodSpec()
    {
        var spec = PodSpec();
        var c = spec.Containers[0];
        c.Env[0].ValueFrom.ConfigMapKeyRef.Name = "podinfo-config-env-primary";
        c.Env[1].ValueFrom.SecretKeyRef.Name = "podinfo-secret-env-primary";
        c.EnvFrom[0].ConfigMapRef.Name = "podinfo-config-all-env-primary";
        c.EnvFrom[1].SecretRef.Name = "podinfo-secret-all-env-primary";
        spec.InitContainers[0].Env[0].ValueFrom.ConfigMapKeyRef.Name = "podinfo-config-init-env-primary";
        spec.Volumes[0].ConfigMap.Name = "podinfo-config-vol-primary";
        spec.Volumes[1].Secret.SecretName = "podinfo-secret-vol-primary";
        spec.Volumes[2].Projected.Sources[0].ConfigMap.Name = "podinfo-config-projected-primary";
        spec.Volumes[2].Projected.Sources[1].Secret.Name = "podinfo-secret-projected-primary";
        // the optional, missing ConfigMap is not tracked and keeps its name
        spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm.LabelSelector.MatchExpressions[0].Values = ["podinfo-primary", "other"];
        spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0].LabelSelector.MatchLabels["app"] = "podinfo-primary";
        spec.TopologySpreadConstraints[0].LabelSelector.MatchLabels["app"] = "podinfo-primary";
        return spec;
    }

    [Fact]
    public async Task IsScaledToZero_is_true_only_while_the_target_has_zero_replicas()
    {
        var (_, controller, canary) = Setup();
        Assert.False(await controller.IsScaledToZeroAsync(canary, Ct));

        await controller.ScaleToZeroAsync(canary, Ct);
        Assert.True(await controller.IsScaledToZeroAsync(canary, Ct));

        await controller.ScaleFromZeroAsync(canary, Ct);
        Assert.False(await controller.IsScaledToZeroAsync(canary, Ct));
    }

    [Fact]
    public async Task Initialize_creates_the_primary_deployment_with_upstream_naming_labels_and_rewritten_refs()
    {
        var (kube, controller, canary) = Setup();

        var readiness = await controller.InitializeAsync(canary, Ct);

        var primary = kube.Get<V1Deployment>(Ns, "podinfo-primary")!;
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary" }, primary.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["deployment.kubernetes.io/revision"] = "1", ["owner"] = "team-a" }, primary.Metadata.Annotations);
        var owner = Assert.Single(primary.Metadata.OwnerReferences);
        Assert.Equal(("flagger.app/v1beta1", "Canary", "podinfo", "canary-uid-1", true, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        Assert.Equal((1, 60, 5, 3, "RollingUpdate"), (primary.Spec.Replicas, primary.Spec.ProgressDeadlineSeconds, primary.Spec.MinReadySeconds, primary.Spec.RevisionHistoryLimit, primary.Spec.Strategy.Type));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary" }, primary.Spec.Selector.MatchLabels);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary", ["version"] = "v1" }, primary.Spec.Template.Metadata.Labels);
        Assert.Equal(["flagger-id", "prometheus.io/scrape"], primary.Spec.Template.Metadata.Annotations.Keys.Order(StringComparer.Ordinal));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", primary.Spec.Template.Metadata.Annotations["flagger-id"]);
        Assert.Equal(KubeObjects.CanonicalJson(ExpectedPrimaryPodSpec()), KubeObjects.CanonicalJson(primary.Spec.Template.Spec));

        // the new primary has no status yet: not ready, retry
        Assert.Equal(new Readiness(ReadinessState.NotReady, "podinfo-primary.default not ready: waiting for rollout to finish: observed deployment generation less than desired generation"), readiness);
    }

    [Fact]
    public async Task Initialize_copies_tracked_configs_to_primary_configs_owned_by_the_canary()
    {
        var (kube, controller, canary) = Setup(new WorkloadOptions { IncludeLabelPrefix = ["team"] });

        await controller.InitializeAsync(canary, Ct);

        Assert.Equal(
            [
                "create ConfigMap podinfo-config-all-env-primary", "create ConfigMap podinfo-config-env-primary",
                "create ConfigMap podinfo-config-init-env-primary", "create ConfigMap podinfo-config-projected-primary",
                "create ConfigMap podinfo-config-vol-primary", "create Secret podinfo-secret-all-env-primary",
                "create Secret podinfo-secret-env-primary", "create Secret podinfo-secret-projected-primary",
                "create Secret podinfo-secret-vol-primary", "create V1Deployment podinfo-primary",
            ],
            kube.Writes.Select(w => $"{w.Verb} {w.Kind.Replace("V1ConfigMap", "ConfigMap").Replace("V1Secret", "Secret")} {w.Name}"));
        var configMap = kube.Get<V1ConfigMap>(Ns, "podinfo-config-env-primary")!;
        Assert.Equal(new Dictionary<string, string> { ["color"] = "blue" }, configMap.Data);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a" }, configMap.Metadata.Labels);
        Assert.Equal("podinfo", Assert.Single(configMap.Metadata.OwnerReferences).Name);
        var secret = kube.Get<V1Secret>(Ns, "podinfo-secret-vol-primary")!;
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("my-secret"u8.ToArray(), secret.Data["apiKey"]);
    }

    [Fact]
    public async Task Initialize_twice_writes_nothing_the_second_time()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        var writes = kube.Writes.Count;

        await controller.InitializeAsync(canary, Ct);

        Assert.Equal(writes, kube.Writes.Count);
    }

    [Fact]
    public async Task Initialize_never_modifies_an_existing_primary()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        var target = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo")!);
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        await kube.ReplaceAsync(target, Ct);
        var writes = kube.Writes.Count;

        await controller.InitializeAsync(canary, Ct);

        Assert.Equal(writes, kube.Writes.Count);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.0", kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Initialize_keeps_other_canaries_as_non_controller_owners_of_a_shared_primary_config()
    {
        var (kube, controller, canary) = Setup();
        kube.Seed(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "podinfo-config-env-primary",
                NamespaceProperty = Ns,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "flagger.app/v1beta1", Kind = "Canary", Name = "other", Uid = "other-uid", Controller = true }],
            },
            Data = new Dictionary<string, string> { ["color"] = "old" },
        });

        await controller.InitializeAsync(canary, Ct);

        var configMap = kube.Get<V1ConfigMap>(Ns, "podinfo-config-env-primary")!;
        Assert.Equal([("podinfo", true), ("other", false)], configMap.Metadata.OwnerReferences.Select(o => (o.Name, o.Controller == true)));
        Assert.Equal("blue", configMap.Data["color"]);
    }

    [Fact]
    public async Task Config_tracking_opt_out_annotation_leaves_the_config_untracked_and_unrenamed()
    {
        var (kube, controller, canary) = Setup();
        var configMap = KubeObjects.Clone(kube.Get<V1ConfigMap>(Ns, "podinfo-config-vol")!);
        configMap.Metadata.Annotations = new Dictionary<string, string> { ["flagger.app/config-tracking"] = "disabled" };
        kube.Seed(configMap);

        await controller.InitializeAsync(canary, Ct);

        Assert.Null(kube.Get<V1ConfigMap>(Ns, "podinfo-config-vol-primary"));
        Assert.Equal("podinfo-config-vol", kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Template.Spec.Volumes[0].ConfigMap.Name);
        Assert.DoesNotContain("configmap/podinfo-config-vol", (await controller.GetTrackedConfigsAsync(canary, Ct))!.Keys);
    }

    [Fact]
    public async Task Registry_secrets_are_not_tracked()
    {
        var (kube, controller, canary) = Setup();
        var secret = KubeObjects.Clone(kube.Get<V1Secret>(Ns, "podinfo-secret-vol")!);
        secret.Type = "kubernetes.io/dockerconfigjson";
        kube.Seed(secret);

        var tracked = await controller.GetTrackedConfigsAsync(canary, Ct);

        Assert.DoesNotContain("secret/podinfo-secret-vol", tracked!.Keys);
        Assert.Contains("secret/podinfo-secret-env", tracked.Keys);
    }

    [Fact]
    public async Task Tracked_configs_carry_upstreams_checksums()
    {
        var (_, controller, canary) = Setup();

        var tracked = await controller.GetTrackedConfigsAsync(canary, Ct);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["configmap/podinfo-config-all-env"] = "f234cb93c08ad64e",
                ["configmap/podinfo-config-env"] = "f234cb93c08ad64e",
                ["configmap/podinfo-config-init-env"] = "f234cb93c08ad64e",
                ["configmap/podinfo-config-projected"] = "f234cb93c08ad64e",
                ["configmap/podinfo-config-vol"] = "f234cb93c08ad64e",
                ["secret/podinfo-secret-all-env"] = "20ac47d35cb01b2e",
                ["secret/podinfo-secret-env"] = "20ac47d35cb01b2e",
                ["secret/podinfo-secret-projected"] = "20ac47d35cb01b2e",
                ["secret/podinfo-secret-vol"] = "20ac47d35cb01b2e",
            },
            tracked);
    }

    [Fact]
    public async Task Tracked_config_checksums_follow_the_content_of_the_configs()
    {
        var (kube, controller, canary) = Setup();
        var before = await controller.GetTrackedConfigsAsync(canary, Ct);

        var configMap = KubeObjects.Clone(kube.Get<V1ConfigMap>(Ns, "podinfo-config-env")!);
        configMap.Data["color"] = "green";
        kube.Seed(configMap);
        var after = await controller.GetTrackedConfigsAsync(canary, Ct);

        Assert.NotEqual(before!["configmap/podinfo-config-env"], after!["configmap/podinfo-config-env"]);
        Assert.Equal(before["secret/podinfo-secret-vol"], after["secret/podinfo-secret-vol"]);
    }

    [Fact]
    public async Task A_required_config_that_is_missing_is_an_error_naming_it()
    {
        var (kube, controller, canary) = Setup();
        await kube.DeleteAsync<V1ConfigMap>(Ns, "podinfo-config-env", Ct);

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.InitializeAsync(canary, Ct));

        Assert.Equal("createPrimaryDeployment failed: configmap podinfo-config-env.default get query error: configmaps \"podinfo-config-env\" not found", e.Message);
        Assert.Null(kube.Get<V1Deployment>(Ns, "podinfo-primary"));
    }

    [Fact]
    public async Task Config_tracking_disabled_copies_no_configs_and_reports_no_tracked_configs()
    {
        var (kube, controller, canary) = Setup(new WorkloadOptions { EnableConfigTracking = false });

        await controller.InitializeAsync(canary, Ct);

        Assert.Equal(["create V1Deployment podinfo-primary"], kube.Writes.Select(w => $"{w.Verb} {w.Kind} {w.Name}"));
        Assert.Equal("podinfo-config-env", kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Template.Spec.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Name);
        Assert.Null(await controller.GetTrackedConfigsAsync(canary, Ct));
    }

    [Fact]
    public async Task A_target_without_a_selector_label_is_an_error_listing_the_labels()
    {
        var kube = new InMemoryKube();
        var deployment = Deployment();
        deployment.Spec.Selector.MatchLabels = new Dictionary<string, string> { ["component"] = "podinfo" };
        kube.Seed(deployment);
        var canary = Canary();
        var controller = Factory(kube).Factory.Create(canary);

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.GetMetadataAsync(canary, Ct));

        Assert.Equal("getSelectorLabel failed: deployment podinfo.default spec.selector.matchLabels must contain one of [app name app.kubernetes.io/name]", e.Message);
    }

    [Fact]
    public async Task Metadata_uses_the_first_configured_selector_label_and_discovers_ports()
    {
        var kube = new InMemoryKube();
        var deployment = Deployment();
        deployment.Spec.Selector.MatchLabels["name"] = "podinfo-name";
        kube.Seed(deployment);
        var canary = Canary(configure: s => s.Service!.PortDiscovery = true);
        var controller = Factory(kube, new WorkloadOptions { SelectorLabels = ["name", "app"] }).Factory.Create(canary);

        var metadata = await controller.GetMetadataAsync(canary, Ct);

        Assert.Equal(("name", "podinfo-name", "podinfo-name-primary"), (metadata.Label, metadata.LabelValue, metadata.PrimaryLabelValue));
        Assert.Equal(new Dictionary<string, int> { ["tcp-podinfo-1"] = 9797 }, metadata.Ports);
    }

    [Fact]
    public async Task Initialize_skips_the_readiness_wait_outside_initialization_or_with_skip_analysis()
    {
        var (_, controller, canary) = Setup();
        canary.Status = new CanaryStatus { Phase = "Succeeded" };
        Assert.Equal(Readiness.Ready, await controller.InitializeAsync(canary, Ct));

        var (_, skipping, skipCanary) = Setup(configure: s => s.SkipAnalysis = true);
        Assert.Equal(Readiness.Ready, await skipping.InitializeAsync(skipCanary, Ct));
    }

    [Fact]
    public async Task Canary_readiness_reports_progress_deadline_exceeded_as_non_retriable()
    {
        var (kube, controller, canary) = Setup();
        var target = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo")!);
        target.Status.Conditions = [new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded" }];
        kube.Seed(target);

        Assert.Equal(
            new Readiness(ReadinessState.DeadlineExceeded, "canary deployment podinfo.default not ready: deployment \"podinfo\" exceeded its progress deadline"),
            await controller.IsCanaryReadyAsync(canary, Ct));
    }

    [Fact]
    public async Task Canary_readiness_applies_the_canary_ready_threshold()
    {
        var (kube, controller, canary) = Setup(configure: s => s.Analysis!.CanaryReadyThreshold = 50);
        var target = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo")!);
        target.Spec.Replicas = 4;
        target.Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 4, UpdatedReplicas = 4, AvailableReplicas = 2 };
        kube.Seed(target);
        Assert.Equal(Readiness.Ready, await controller.IsCanaryReadyAsync(canary, Ct));

        target.Status.AvailableReplicas = 1;
        kube.Seed(target);
        Assert.Equal(
            new Readiness(ReadinessState.NotReady, "canary deployment podinfo.default not ready: waiting for rollout to finish: 1 of 2 (readyThreshold 50%) updated replicas are available"),
            await controller.IsCanaryReadyAsync(canary, Ct));
    }

    [Fact]
    public async Task Primary_readiness_turns_non_retriable_when_replicas_stay_unavailable_past_the_deadline()
    {
        var (kube, controller, canary) = Setup(configure: s => s.ProgressDeadlineSeconds = 60);
        await controller.InitializeAsync(canary, Ct);
        var primary = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo-primary")!);
        primary.Status = new V1DeploymentStatus
        {
            ObservedGeneration = 1,
            Replicas = 1,
            UpdatedReplicas = 1,
            AvailableReplicas = 0,
            Conditions =
            [
                new V1DeploymentCondition { Type = "Progressing", Status = "True", Reason = "ReplicaSetUpdated" },
                new V1DeploymentCondition { Type = "Available", Status = "False", Reason = "MinimumReplicasUnavailable", LastUpdateTime = Now.AddSeconds(-30).UtcDateTime },
            ],
        };
        kube.Seed(primary);
        Assert.Equal(ReadinessState.NotReady, (await controller.IsPrimaryReadyAsync(canary, Ct)).State);

        primary.Status.Conditions[1].LastUpdateTime = Now.AddSeconds(-61).UtcDateTime;
        kube.Seed(primary);
        Assert.Equal(
            new Readiness(ReadinessState.DeadlineExceeded, "podinfo-primary.default not ready: waiting for rollout to finish: 0 of 1 (readyThreshold 100%) updated replicas are available"),
            await controller.IsPrimaryReadyAsync(canary, Ct));
    }

    [Fact]
    public async Task Readiness_of_a_missing_primary_is_retriable()
    {
        var (_, controller, canary) = Setup();

        Assert.Equal(
            new Readiness(ReadinessState.NotReady, "deployment podinfo-primary.default get query error: deployments.apps \"podinfo-primary\" not found"),
            await controller.IsPrimaryReadyAsync(canary, Ct));
    }

    [Fact]
    public async Task Promote_copies_the_target_template_configs_and_filtered_metadata_to_the_primary()
    {
        var (kube, controller, canary) = Setup(new WorkloadOptions { IncludeLabelPrefix = ["team", "owner"] });
        await controller.InitializeAsync(canary, Ct);
        var firstId = kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Template.Metadata.Annotations["flagger-id"];
        var target = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo")!);
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        target.Spec.Replicas = 3;
        target.Spec.MinReadySeconds = 7;
        kube.Seed(target);
        var configMap = KubeObjects.Clone(kube.Get<V1ConfigMap>(Ns, "podinfo-config-env")!);
        configMap.Data["color"] = "green";
        kube.Seed(configMap);

        await controller.PromoteAsync(canary, Ct);

        var primary = kube.Get<V1Deployment>(Ns, "podinfo-primary")!;
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("podinfo-config-env-primary", primary.Spec.Template.Spec.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Name);
        Assert.Equal((3, 7), (primary.Spec.Replicas, primary.Spec.MinReadySeconds));
        Assert.NotEqual(firstId, primary.Spec.Template.Metadata.Annotations["flagger-id"]);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary", ["team"] = "a" }, primary.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "team-a" }, primary.Metadata.Annotations);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary" }, primary.Spec.Selector.MatchLabels);
        Assert.Equal("green", kube.Get<V1ConfigMap>(Ns, "podinfo-config-env-primary")!.Data["color"]);
        Assert.Equal("canary-uid-1", Assert.Single(primary.Metadata.OwnerReferences).Uid);
    }

    [Fact]
    public async Task Promote_twice_writes_nothing_the_second_time()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        var target = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo")!);
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        kube.Seed(target);
        await controller.PromoteAsync(canary, Ct);
        var writes = kube.Writes.Count;

        await controller.PromoteAsync(canary, Ct);

        Assert.Equal(writes, kube.Writes.Count);
    }

    [Fact]
    public async Task Promote_after_a_config_only_change_rolls_the_primary_through_a_new_flagger_id()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        var before = kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Template.Metadata.Annotations["flagger-id"];
        var secret = KubeObjects.Clone(kube.Get<V1Secret>(Ns, "podinfo-secret-env")!);
        secret.Data["apiKey"] = "rotated"u8.ToArray();
        kube.Seed(secret);

        await controller.PromoteAsync(canary, Ct);

        Assert.NotEqual(before, kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Template.Metadata.Annotations["flagger-id"]);
        Assert.Equal("rotated"u8.ToArray(), kube.Get<V1Secret>(Ns, "podinfo-secret-env-primary")!.Data["apiKey"]);
    }

    [Fact]
    public async Task Promote_keeps_primary_replicas_when_an_autoscaler_manages_them()
    {
        var (kube, controller, canary) = Setup(configure: s => s.AutoscalerRef = new AutoscalerReference { ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler", Name = "podinfo" });
        await controller.InitializeAsync(canary, Ct);
        var target = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo")!);
        target.Spec.Replicas = 5;
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        kube.Seed(target);

        await controller.PromoteAsync(canary, Ct);

        Assert.Equal(1, kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Replicas);
    }

    [Fact]
    public async Task Scale_to_zero_patches_replicas_once()
    {
        var (kube, controller, canary) = Setup();

        await controller.ScaleToZeroAsync(canary, Ct);
        await controller.ScaleToZeroAsync(canary, Ct);

        Assert.Equal(0, kube.Get<V1Deployment>(Ns, "podinfo")!.Spec.Replicas);
        Assert.Equal(["patch V1Deployment podinfo"], kube.Writes.Select(w => $"{w.Verb} {w.Kind} {w.Name}"));
    }

    [Fact]
    public async Task Scale_from_zero_uses_the_primary_replicas_without_an_autoscaler()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        var primary = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo-primary")!);
        primary.Spec.Replicas = 4;
        kube.Seed(primary);
        await controller.ScaleToZeroAsync(canary, Ct);

        await controller.ScaleFromZeroAsync(canary, Ct);
        var writes = kube.Writes.Count;
        await controller.ScaleFromZeroAsync(canary, Ct);

        Assert.Equal(4, kube.Get<V1Deployment>(Ns, "podinfo")!.Spec.Replicas);
        Assert.Equal(writes, kube.Writes.Count);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(1, 1)]
    [InlineData(null, 1)]
    public async Task Scale_from_zero_uses_hpa_min_replicas_above_one(int? minReplicas, int expected)
    {
        var (kube, controller, canary) = Setup(configure: s => s.AutoscalerRef = new AutoscalerReference { ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler", Name = "podinfo" });
        kube.Seed(Hpa(minReplicas));
        await controller.ScaleToZeroAsync(canary, Ct);

        await controller.ScaleFromZeroAsync(canary, Ct);

        Assert.Equal(expected, kube.Get<V1Deployment>(Ns, "podinfo")!.Spec.Replicas);
    }

    [Fact]
    public async Task Finalize_gives_the_target_the_primary_replicas()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        var primary = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo-primary")!);
        primary.Spec.Replicas = 6;
        kube.Seed(primary);
        await controller.ScaleToZeroAsync(canary, Ct);

        await controller.FinalizeAsync(canary, Ct);

        Assert.Equal(6, kube.Get<V1Deployment>(Ns, "podinfo")!.Spec.Replicas);
    }

    [Fact]
    public async Task Finalize_without_a_primary_scales_the_target_from_zero()
    {
        var (kube, controller, canary) = Setup();
        await controller.ScaleToZeroAsync(canary, Ct);

        await controller.FinalizeAsync(canary, Ct);

        Assert.Equal(1, kube.Get<V1Deployment>(Ns, "podinfo")!.Spec.Replicas);
    }

    [Fact]
    public async Task Revision_changes_with_the_template_but_not_with_replicas()
    {
        var (kube, controller, canary) = Setup();
        var first = await controller.GetTargetRevisionAsync(canary, Ct);
        Assert.Matches("^[0-9a-f]{16}$", first);

        await controller.ScaleToZeroAsync(canary, Ct);
        Assert.Equal(first, await controller.GetTargetRevisionAsync(canary, Ct));

        var target = KubeObjects.Clone(kube.Get<V1Deployment>(Ns, "podinfo")!);
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        kube.Seed(target);
        Assert.NotEqual(first, await controller.GetTargetRevisionAsync(canary, Ct));
    }

    [Fact]
    public async Task A_missing_target_is_a_retriable_error_with_upstreams_text()
    {
        var kube = new InMemoryKube();
        var canary = Canary();
        var controller = Factory(kube).Factory.Create(canary);

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.GetTargetRevisionAsync(canary, Ct));

        Assert.Equal("deployment podinfo.default get query error: deployments.apps \"podinfo\" not found", e.Message);
    }

    internal static V2HorizontalPodAutoscaler Hpa(int? minReplicas = 2, int maxReplicas = 4) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = new V1ObjectMeta
        {
            Name = "podinfo",
            NamespaceProperty = Ns,
            Labels = new Dictionary<string, string> { ["app"] = "podinfo", ["helm.toolkit.fluxcd.io/name"] = "podinfo" },
            Annotations = new Dictionary<string, string> { ["note"] = "x" },
        },
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
            MinReplicas = minReplicas,
            MaxReplicas = maxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 99 } },
                },
            ],
        },
    };
}
