using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads;

public sealed class HpaPrimaryScalerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static (InMemoryKube Kube, ITargetController Controller, Canary Canary) Setup(ScalerReplicas? replicas = null)
    {
        var kube = new InMemoryKube();
        kube.Seed(Deployment());
        kube.Seed(DeploymentControllerTests.Hpa());
        var canary = Canary(configure: s => s.AutoscalerRef = new AutoscalerReference
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Name = "podinfo",
            PrimaryScalerReplicas = replicas,
        });
        return (kube, Factory(kube).Factory.Create(canary), canary);
    }

    [Fact]
    public async Task Init_creates_the_primary_hpa_pointing_at_the_primary_deployment()
    {
        var (kube, controller, canary) = Setup();

        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);

        var hpa = kube.Get<V2HorizontalPodAutoscaler>(Ns, "podinfo-primary")!;
        Assert.Equal(("apps/v1", "Deployment", "podinfo-primary"), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.Equal((2, 4), (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));
        Assert.Equal(KubeObjects.CanonicalJson(DeploymentControllerTests.Hpa().Spec.Metrics), KubeObjects.CanonicalJson(hpa.Spec.Metrics));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo" }, hpa.Metadata.Labels);
        Assert.Equal("canary-uid-1", Assert.Single(hpa.Metadata.OwnerReferences).Uid);
        Assert.Equal("podinfo", kube.Get<V2HorizontalPodAutoscaler>(Ns, "podinfo")!.Spec.ScaleTargetRef.Name);
    }

    [Fact]
    public async Task Primary_scaler_replicas_override_min_and_max()
    {
        var (kube, controller, canary) = Setup(new ScalerReplicas { MinReplicas = 3, MaxReplicas = 9 });

        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);

        var hpa = kube.Get<V2HorizontalPodAutoscaler>(Ns, "podinfo-primary")!;
        Assert.Equal((3, 9), (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));
    }

    [Fact]
    public async Task Init_never_updates_and_promotion_syncs_only_when_the_target_hpa_differs()
    {
        var (kube, controller, canary) = Setup();
        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);
        var target = KubeObjects.Clone(kube.Get<V2HorizontalPodAutoscaler>(Ns, "podinfo")!);
        target.Spec.MaxReplicas = 10;
        target.Spec.Metrics[0].Resource.Target.AverageUtilization = 80;
        kube.Seed(target);
        var writes = kube.Writes.Count;

        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);
        Assert.Equal(writes, kube.Writes.Count);

        await controller.ReconcilePrimaryScalerAsync(canary, false, Ct);
        await controller.ReconcilePrimaryScalerAsync(canary, false, Ct);

        Assert.Equal(["update V2HorizontalPodAutoscaler podinfo-primary"], kube.Writes.Skip(writes).Select(w => $"{w.Verb} {w.Kind} {w.Name}"));
        var hpa = kube.Get<V2HorizontalPodAutoscaler>(Ns, "podinfo-primary")!;
        Assert.Equal((10, 80, "podinfo-primary"), (hpa.Spec.MaxReplicas, hpa.Spec.Metrics[0].Resource.Target.AverageUtilization, hpa.Spec.ScaleTargetRef.Name));
    }

    [Fact]
    public async Task A_missing_target_hpa_is_an_error_naming_it()
    {
        var (kube, controller, canary) = Setup();
        await kube.DeleteAsync<V2HorizontalPodAutoscaler>(Ns, "podinfo", Ct);

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.ReconcilePrimaryScalerAsync(canary, true, Ct));

        Assert.Equal("HorizontalPodAutoscaler podinfo.default get query error: horizontalpodautoscalers.autoscaling \"podinfo\" not found", e.Message);
    }
}
