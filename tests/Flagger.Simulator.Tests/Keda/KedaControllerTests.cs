using System.Text.Json.Nodes;
using Flagger.Simulator.Keda;
using Flagger.Simulator.Tests.Knative;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests.Keda;

public sealed class KedaControllerTests(WorkloadFixture fx) : IClassFixture<WorkloadFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> SetUpAsync(string annotations = "")
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(KnativeServingControllerTests.RepoFile("deploy", "dev", "keda-crds.yaml"), Ct));
        var ns = await fx.NamespaceAsync("keda");
        await fx.Client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("podinfo"), ns, cancellationToken: Ct);
        fx.Cluster.Apply($"""
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: podinfo-so
              namespace: {ns}{annotations}
            spec:
              scaleTargetRef:
                name: podinfo
              minReplicaCount: 1
              maxReplicaCount: 3
              triggers:
              - type: prometheus
                metricType: AverageValue
                metadata:
                  serverAddress: http://prometheus:9090
                  query: sum(rate(http_requests_total[30s]))
                  threshold: '5'
            """);
        return ns;
    }

    private Task<V1Deployment> ReplicasAsync(string ns, int replicas) => Expect.EventuallyAsync(
        () => fx.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo", ns, cancellationToken: Ct), d => d.Spec.Replicas == replicas);

    [Fact]
    public async Task The_target_follows_the_metric_within_min_and_max_and_the_pause_annotations()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Keda.SetMetricValue(ns, "podinfo-so", 12);
        await ReplicasAsync(ns, 3);

        fx.Cluster.Keda.SetMetricValue(ns, "podinfo-so", 6);
        await ReplicasAsync(ns, 2);

        var pause = """{"metadata":{"annotations":{"autoscaling.keda.sh/paused-replicas":"0"}}}""";
        await fx.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(pause, V1Patch.PatchType.MergePatch), "keda.sh", "v1alpha1", ns, "scaledobjects", "podinfo-so", cancellationToken: Ct);
        await ReplicasAsync(ns, 0);
        var so = await Expect.EventuallyAsync(
            async () => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("keda.sh", "v1alpha1", ns, "scaledobjects", "podinfo-so", cancellationToken: Ct)))!,
            s => (int?)s["status"]?["pausedReplicaCount"] == 0);
        Assert.Contains(so["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Paused" && (string?)c["status"] == "True");

        fx.Cluster.Keda.SetMetricValue(ns, "podinfo-so", 0);
        var resume = """{"metadata":{"annotations":{"autoscaling.keda.sh/paused-replicas":null}}}""";
        await fx.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(resume, V1Patch.PatchType.MergePatch), "keda.sh", "v1alpha1", ns, "scaledobjects", "podinfo-so", cancellationToken: Ct);
        await ReplicasAsync(ns, 1);
    }

    [Fact]
    public async Task Paused_autoscaling_leaves_the_replicas_alone()
    {
        var ns = await SetUpAsync("\n  annotations:\n    autoscaling.keda.sh/paused: \"true\"");
        fx.Cluster.Keda.SetMetricValue(ns, "podinfo-so", 100);
        await Task.Delay(fx.Cluster.Keda.Interval * 4, Ct);

        Assert.Equal(1, (await fx.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo", ns, cancellationToken: Ct)).Spec.Replicas);
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(0.0, 1)]
    [InlineData(4.0, 1)]
    [InlineData(5.5, 2)]
    [InlineData(1000.0, 3)]
    public void Desired_replicas_are_the_metric_over_the_threshold_bounded_by_min_and_max(double? metric, int expected)
    {
        var so = JsonNode.Parse("""
            {"metadata":{},"spec":{"minReplicaCount":1,"maxReplicaCount":3,"triggers":[{"type":"prometheus","metadata":{"threshold":"5"}}]}}
            """)!.AsObject();

        Assert.Equal(expected, KedaController.DesiredReplicas(so, metric));
    }
}
