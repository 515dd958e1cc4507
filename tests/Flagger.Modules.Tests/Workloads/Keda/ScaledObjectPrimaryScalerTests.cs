using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Keda;
using k8s;
using k8s.Models;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads.Keda;

/// <summary>The KEDA primary ScaledObject (upstream pkg/canary/scaled_object_reconciler.go and its test).</summary>
public sealed class ScaledObjectPrimaryScalerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private const string TargetSo = """
        {"apiVersion":"keda.sh/v1alpha1","kind":"ScaledObject",
         "metadata":{"name":"podinfo","namespace":"default","labels":{"app":"podinfo","kustomize.toolkit.fluxcd.io/name":"apps"},
                     "annotations":{"scaledobject.keda.sh/transfer-hpa-ownership":"true"}},
         "spec":{"scaleTargetRef":{"name":"podinfo"},"pollingInterval":10,"cooldownPeriod":20,"minReplicaCount":1,"maxReplicaCount":4,
                 "triggers":[{"type":"prometheus","name":"requests","metricType":"AverageValue",
                              "metadata":{"serverAddress":"http://prometheus:9090","query":"sum(rate(http_requests_total{app=\"podinfo-canary\"}[30s])) + sum(rate(http_requests_total{app=\"podinfo\"}[30s]))","threshold":"5"}}]}}
        """;

    private static (InMemoryKube Kube, ITargetController Controller, Canary Canary) Setup(Action<AutoscalerReference>? configure = null, string targetSo = TargetSo)
    {
        var kube = new InMemoryKube();
        kube.Seed(Deployment());
        kube.Seed(KubernetesJson.Deserialize<ScaledObject>(targetSo));
        var reference = new AutoscalerReference { ApiVersion = "keda.sh/v1alpha1", Kind = "ScaledObject", Name = "podinfo" };
        configure?.Invoke(reference);
        var canary = Canary(configure: s => s.AutoscalerRef = reference);
        return (kube, Factory(kube).Factory.Create(canary), canary);
    }

    [Fact]
    public async Task Init_creates_the_primary_scaled_object_for_the_primary_deployment_with_primary_queries()
    {
        var (kube, controller, canary) = Setup();

        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);

        var primary = kube.Get<ScaledObject>(Ns, "podinfo-primary")!;
        AssertJson("""
            {"scaleTargetRef":{"name":"podinfo-primary"},"pollingInterval":10,"cooldownPeriod":20,"minReplicaCount":1,"maxReplicaCount":4,
             "advanced":{"horizontalPodAutoscalerConfig":{}},
             "triggers":[{"type":"prometheus","name":"requests","metadata":{"serverAddress":"http://prometheus:9090","query":"sum(rate(http_requests_total{app=\"podinfo-primary\"}[30s])) + sum(rate(http_requests_total{app=\"podinfo-primary\"}[30s]))","threshold":"5"},"metricType":"AverageValue"}]}
            """, primary.Spec);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo" }, primary.Metadata.Labels);
        Assert.Equal("true", primary.Metadata.Annotations["scaledobject.keda.sh/transfer-hpa-ownership"]);
        Assert.Equal("canary-uid-1", Assert.Single(primary.Metadata.OwnerReferences).Uid);
    }

    [Fact]
    public async Task Primary_scaler_queries_and_replicas_override_the_copied_ones()
    {
        var (kube, controller, canary) = Setup(r =>
        {
            r.PrimaryScalerQueries = new Dictionary<string, string> { ["requests"] = "sum(rate(http_requests_total{app=\"primary\"}[1m]))" };
            r.PrimaryScalerReplicas = new ScalerReplicas { MinReplicas = 2, MaxReplicas = 6 };
        });

        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);

        var primary = kube.Get<ScaledObject>(Ns, "podinfo-primary")!;
        Assert.Equal("sum(rate(http_requests_total{app=\"primary\"}[1m]))", primary.Spec.Triggers[0].Metadata["query"]);
        Assert.Equal((2, 6), (primary.Spec.MinReplicaCount, primary.Spec.MaxReplicaCount));
    }

    [Theory]
    [InlineData("sum(rate(http_requests_total{ app=\"podinfo\" }[30s]))", "sum(rate(http_requests_total{ app=\"podinfo-primary\" }[30s]))")]
    [InlineData("podinfo-canary podinfo podinfo-primary", "podinfo-primary podinfo-primary podinfo-primary-primary")]
    [InlineData("up{job=\"other\"}", "up{job=\"other\"}")]
    public void Queries_name_the_primary_instead_of_the_target_or_its_canary(string query, string expected) =>
        Assert.Equal(expected, PrimaryScaledObject.PrimaryQuery(query, "podinfo"));

    [Fact]
    public async Task A_named_hpa_gets_a_primary_name_and_promotion_syncs_the_spec()
    {
        var withHpa = TargetSo.Replace("\"triggers\"", "\"advanced\":{\"horizontalPodAutoscalerConfig\":{\"name\":\"podinfo-hpa\"}},\"triggers\"", StringComparison.Ordinal);
        var (kube, controller, canary) = Setup(targetSo: withHpa);
        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);
        Assert.Equal("podinfo-hpa-primary", kube.Get<ScaledObject>(Ns, "podinfo-primary")!.Spec.Advanced!.HorizontalPodAutoscalerConfig!.Name);

        var target = kube.Get<ScaledObject>(Ns, "podinfo")!;
        target.Spec.MaxReplicaCount = 8;
        kube.Seed(target);
        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);
        Assert.Equal(4, kube.Get<ScaledObject>(Ns, "podinfo-primary")!.Spec.MaxReplicaCount);

        await controller.ReconcilePrimaryScalerAsync(canary, false, Ct);
        Assert.Equal(8, kube.Get<ScaledObject>(Ns, "podinfo-primary")!.Spec.MaxReplicaCount);
        var writes = kube.Writes.Count;
        await controller.ReconcilePrimaryScalerAsync(canary, false, Ct);
        Assert.Equal(writes, kube.Writes.Count);
    }

    [Fact]
    public async Task The_target_scaled_object_is_paused_at_zero_replicas_and_resumed_only_when_needed()
    {
        var (kube, controller, canary) = Setup();

        await controller.PauseTargetScalerAsync(canary, Ct);
        await controller.PauseTargetScalerAsync(canary, Ct);
        Assert.Equal("0", kube.Get<ScaledObject>(Ns, "podinfo")!.Metadata.Annotations["autoscaling.keda.sh/paused-replicas"]);
        Assert.Single(kube.Writes);

        await controller.ResumeTargetScalerAsync(canary, Ct);
        await controller.ResumeTargetScalerAsync(canary, Ct);
        Assert.False(kube.Get<ScaledObject>(Ns, "podinfo")!.Metadata.Annotations?.ContainsKey("autoscaling.keda.sh/paused-replicas") ?? false);
        Assert.Equal(2, kube.Writes.Count);
    }

    [Fact]
    public async Task The_primary_never_inherits_the_pause_of_the_target()
    {
        var (kube, controller, canary) = Setup();
        await controller.PauseTargetScalerAsync(canary, Ct);

        await controller.ReconcilePrimaryScalerAsync(canary, true, Ct);

        Assert.False(kube.Get<ScaledObject>(Ns, "podinfo-primary")!.Metadata.Annotations.ContainsKey("autoscaling.keda.sh/paused-replicas"));
    }

    [Fact]
    public async Task Scale_from_zero_uses_min_replica_count_above_one()
    {
        var (kube, _, canary) = Setup(targetSo: TargetSo.Replace("\"minReplicaCount\":1", "\"minReplicaCount\":3", StringComparison.Ordinal));
        var deployment = kube.Get<V1Deployment>(Ns, "podinfo")!;
        deployment.Spec.Replicas = 0;
        kube.Seed(deployment);
        var controller = Factory(kube).Factory.Create(canary);

        await controller.ScaleFromZeroAsync(canary, Ct);

        Assert.Equal(3, kube.Get<V1Deployment>(Ns, "podinfo")!.Spec.Replicas);
        Assert.IsType<DeploymentController>(controller);
    }

    [Fact]
    public async Task A_missing_target_scaled_object_is_reported_as_upstream()
    {
        var (_, controller, canary) = Setup(r => r.Name = "missing");

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.ReconcilePrimaryScalerAsync(canary, true, Ct));

        Assert.Equal("Keda ScaledObject missing.default get query error: scaledobjects.keda.sh \"missing\" not found", e.Message);
    }
}
