using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>autoscalerRef (HPA, autoscaling/v2): the primary gets its own HPA, kept in sync on promotion.</summary>
[Collection(RolloutCollection.Name)]
public sealed class HpaRolloutTests
{
    private static V2HorizontalPodAutoscaler Hpa(string name, int max) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
            MinReplicas = 2,
            MaxReplicas = max,
            Metrics = [new V2MetricSpec { Type = "Resource", Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 80 } } }],
        },
    };

    [Fact]
    public async Task The_primary_hpa_points_at_the_primary_and_takes_the_targets_hpa_spec_on_promotion()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("scaled", "ghcr.io/stefanprodan/podinfo:6.0.0", replicas: 2);
        await fixture.Client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(Hpa("scaled", 4), "test", cancellationToken: ct);
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "scaled", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "scaled" },
                AutoscalerRef = new AutoscalerReference { ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler", Name = "scaled" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10 },
            },
        });
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("scaled", CanaryPhase.Initialized);

        var primaryHpa = await fixture.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("scaled-primary", "test", cancellationToken: ct);
        Assert.Equal("scaled-primary", primaryHpa.Spec.ScaleTargetRef.Name);
        Assert.Equal("Deployment", primaryHpa.Spec.ScaleTargetRef.Kind);
        Assert.Equal(4, primaryHpa.Spec.MaxReplicas);
        Assert.Equal(2, primaryHpa.Spec.MinReplicas);
        Assert.Contains(primaryHpa.Metadata.OwnerReferences ?? [], o => o.Kind == "Canary" && o.Name == "scaled");
        Assert.Equal("scaled", (await fixture.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("scaled", "test", cancellationToken: ct)).Spec.ScaleTargetRef.Name);

        var hpa = await fixture.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("scaled", "test", cancellationToken: ct);
        hpa.Spec.MaxReplicas = 6;
        await fixture.Client.AutoscalingV2.ReplaceNamespacedHorizontalPodAutoscalerAsync(hpa, "scaled", "test", cancellationToken: ct);
        await fixture.SetImageAsync("scaled", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await fixture.WaitForPhaseAsync("scaled", CanaryPhase.Succeeded);

        primaryHpa = await fixture.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("scaled-primary", "test", cancellationToken: ct);
        Assert.Equal(6, primaryHpa.Spec.MaxReplicas);
        Assert.Equal("scaled-primary", primaryHpa.Spec.ScaleTargetRef.Name);
    }
}
