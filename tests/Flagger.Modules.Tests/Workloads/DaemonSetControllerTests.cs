using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads;

public sealed class DaemonSetControllerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static (InMemoryKube Kube, ITargetController Controller, Canary Canary) Setup(Action<V1DaemonSet>? configure = null)
    {
        var kube = new InMemoryKube();
        var daemonSet = DaemonSet();
        configure?.Invoke(daemonSet);
        kube.Seed(daemonSet);
        SeedConfigs(kube);
        var canary = Canary("DaemonSet");
        return (kube, Factory(kube).Factory.Create(canary), canary);
    }

    [Fact]
    public async Task Initialize_creates_the_primary_daemonset_without_the_scale_to_zero_selector()
    {
        var (kube, controller, canary) = Setup(d => d.Spec.Template.Spec.NodeSelector = new Dictionary<string, string>
        {
            ["flagger.app/scale-to-zero"] = "true",
            ["kubernetes.io/os"] = "linux",
        });

        await controller.InitializeAsync(canary, Ct);

        var primary = kube.Get<V1DaemonSet>(Ns, "podinfo-primary")!;
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary" }, primary.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary" }, primary.Spec.Selector.MatchLabels);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-primary", ["version"] = "v1" }, primary.Spec.Template.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" }, primary.Spec.Template.Spec.NodeSelector);
        Assert.Equal(("RollingUpdate", 5, 3), (primary.Spec.UpdateStrategy.Type, primary.Spec.MinReadySeconds, primary.Spec.RevisionHistoryLimit));
        Assert.Equal("podinfo-config-vol-primary", primary.Spec.Template.Spec.Volumes[0].ConfigMap.Name);
        // as upstream, DaemonSet primaries keep their affinity selectors unchanged
        Assert.Equal("podinfo", primary.Spec.Template.Spec.TopologySpreadConstraints[0].LabelSelector.MatchLabels["app"]);
        Assert.Equal("canary-uid-1", Assert.Single(primary.Metadata.OwnerReferences).Uid);
    }

    [Fact]
    public async Task Initialize_rejects_a_daemonset_that_does_not_use_rolling_updates()
    {
        var (kube, controller, canary) = Setup(d => d.Spec.UpdateStrategy.Type = "OnDelete");

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.InitializeAsync(canary, Ct));

        Assert.Equal("createPrimaryDaemonSet failed: daemonset podinfo.default must have RollingUpdate strategy but have OnDelete", e.Message);
        Assert.Empty(kube.Writes);
    }

    [Fact]
    public async Task Scale_to_zero_adds_the_node_selector_once_and_scale_from_zero_removes_it()
    {
        var (kube, controller, canary) = Setup();

        await controller.ScaleToZeroAsync(canary, Ct);
        await controller.ScaleToZeroAsync(canary, Ct);
        Assert.Equal(new Dictionary<string, string> { ["flagger.app/scale-to-zero"] = "true" }, kube.Get<V1DaemonSet>(Ns, "podinfo")!.Spec.Template.Spec.NodeSelector);
        Assert.Single(kube.Writes);

        await controller.ScaleFromZeroAsync(canary, Ct);
        await controller.ScaleFromZeroAsync(canary, Ct);
        Assert.Empty(kube.Get<V1DaemonSet>(Ns, "podinfo")!.Spec.Template.Spec.NodeSelector);
        Assert.Equal(2, kube.Writes.Count);
    }

    [Fact]
    public async Task IsScaledToZero_is_true_only_while_the_target_has_the_scale_to_zero_node_selector()
    {
        var (_, controller, canary) = Setup(d => d.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" });
        Assert.False(await controller.IsScaledToZeroAsync(canary, Ct));

        await controller.ScaleToZeroAsync(canary, Ct);
        Assert.True(await controller.IsScaledToZeroAsync(canary, Ct));

        await controller.ScaleFromZeroAsync(canary, Ct);
        Assert.False(await controller.IsScaledToZeroAsync(canary, Ct));
    }

    [Fact]
    public async Task Revision_ignores_the_scale_to_zero_node_selector()
    {
        var (_, controller, canary) = Setup();
        var before = await controller.GetTargetRevisionAsync(canary, Ct);

        await controller.ScaleToZeroAsync(canary, Ct);
        var scaledDown = await controller.GetTargetRevisionAsync(canary, Ct);
        await controller.ScaleFromZeroAsync(canary, Ct);
        var scaledUp = await controller.GetTargetRevisionAsync(canary, Ct);

        Assert.Equal(before, scaledDown);
        Assert.Equal(before, scaledUp);
    }

    [Fact]
    public async Task Finalize_removes_the_scale_to_zero_node_selector()
    {
        var (kube, controller, canary) = Setup();
        await controller.ScaleToZeroAsync(canary, Ct);

        await controller.FinalizeAsync(canary, Ct);

        Assert.False(kube.Get<V1DaemonSet>(Ns, "podinfo")!.Spec.Template.Spec.NodeSelector.ContainsKey("flagger.app/scale-to-zero"));
    }

    [Fact]
    public async Task Canary_readiness_waits_then_fails_once_the_deadline_from_the_last_transition_passed()
    {
        var (kube, controller, canary) = Setup(d => d.Status = new V1DaemonSetStatus { ObservedGeneration = 1, DesiredNumberScheduled = 2, UpdatedNumberScheduled = 1, NumberAvailable = 1 });
        canary.Spec.ProgressDeadlineSeconds = 60;
        canary.Status = new CanaryStatus { LastTransitionTime = Now.AddSeconds(-30).ToString("yyyy-MM-ddTHH:mm:ssZ") };

        Assert.Equal(
            new Readiness(ReadinessState.NotReady, "canary damonset podinfo.default not ready with retryable true: waiting for rollout to finish: 1 out of 2 new pods have been updated"),
            await controller.IsCanaryReadyAsync(canary, Ct));

        canary.Status.LastTransitionTime = Now.AddSeconds(-61).ToString("yyyy-MM-ddTHH:mm:ssZ");
        Assert.Equal(
            new Readiness(ReadinessState.DeadlineExceeded, "canary damonset podinfo.default not ready with retryable false: exceeded its progressDeadlineSeconds: 60"),
            await controller.IsCanaryReadyAsync(canary, Ct));
    }

    [Fact]
    public async Task Primary_readiness_uses_the_primary_ready_threshold()
    {
        var (kube, controller, canary) = Setup();
        canary.Spec.Analysis!.PrimaryReadyThreshold = 50;
        canary.Status = new CanaryStatus { LastTransitionTime = Now.ToString("yyyy-MM-ddTHH:mm:ssZ") };
        await controller.InitializeAsync(canary, Ct);
        var primary = KubeObjects.Clone(kube.Get<V1DaemonSet>(Ns, "podinfo-primary")!);
        primary.Status = new V1DaemonSetStatus { ObservedGeneration = 1, DesiredNumberScheduled = 4, UpdatedNumberScheduled = 4, NumberAvailable = 1 };
        kube.Seed(primary);

        Assert.Equal(
            new Readiness(ReadinessState.NotReady, "primary daemonset podinfo-primary.default not ready: waiting for rollout to finish: 1 of 2 (readyThreshold 50%) updated pods are available"),
            await controller.IsPrimaryReadyAsync(canary, Ct));

        primary.Status.NumberAvailable = 2;
        kube.Seed(primary);
        Assert.Equal(Readiness.Ready, await controller.IsPrimaryReadyAsync(canary, Ct));
    }

    [Fact]
    public async Task Promote_copies_the_template_and_is_idempotent()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        var target = KubeObjects.Clone(kube.Get<V1DaemonSet>(Ns, "podinfo")!);
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        target.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["flagger.app/scale-to-zero"] = "true" };
        kube.Seed(target);

        await controller.PromoteAsync(canary, Ct);
        var writes = kube.Writes.Count;
        await controller.PromoteAsync(canary, Ct);

        var primary = kube.Get<V1DaemonSet>(Ns, "podinfo-primary")!;
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
        Assert.Empty(primary.Spec.Template.Spec.NodeSelector);
        Assert.Equal(writes, kube.Writes.Count);
    }

    [Fact]
    public async Task A_daemonset_without_a_selector_label_is_an_error_with_upstreams_text()
    {
        var (_, controller, canary) = Setup(d => d.Spec.Selector.MatchLabels = new Dictionary<string, string> { ["k8s-app"] = "x" });

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.GetMetadataAsync(canary, Ct));

        Assert.Equal("getSelectorLabel failed: daemonset podinfo.default spec.selector.matchLabels must contain one of [app name app.kubernetes.io/name]'", e.Message);
    }
}
