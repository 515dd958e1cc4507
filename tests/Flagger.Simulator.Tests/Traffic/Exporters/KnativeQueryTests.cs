using System.Text.Json.Nodes;
using Flagger.Simulator.Tests.Knative;
using Flagger.Simulator.Traffic.Exporters;
using k8s;
using k8s.Models;
using Prometheus;

namespace Flagger.Simulator.Tests.Traffic.Exporters;

/// <summary>Knative through Kourier: requests split by a Knative Service's traffic, recorded per revision cluster.</summary>
public sealed class KnativeQueryTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_builtin_knative_queries_select_the_latest_revision_cluster_with_its_share_of_requests()
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(KnativeServingControllerTests.RepoFile("deploy", "dev", "knative-crds.yaml"), Ct));
        var ns = await fx.NamespaceAsync("kn");
        fx.Cluster.Apply($"""
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: podinfo
              namespace: {ns}
            spec:
              template:
                spec:
                  containers:
                    - image: ghcr.io/stefanprodan/podinfo:6.0.0
            """);
        await ReadyRevisionAsync(ns, "podinfo-00001");
        var patch = """{"spec":{"template":{"metadata":{"annotations":{"simulator.flagger.app/error-rate":"0.2"}}},"traffic":[{"latestRevision":true,"percent":25},{"revisionName":"podinfo-00001","percent":75}]}}""";
        await fx.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "serving.knative.dev", "v1", ns, "services", "podinfo", cancellationToken: Ct);
        await ReadyRevisionAsync(ns, "podinfo-00002");
        await Expect.EventuallyAsync(() => ServiceAsync(ns), s => s["status"]?["traffic"]?.AsArray().Count == 2);

        var scenario = new TrafficScenario(fx, ns);
        await scenario.SendAsync(rps: 200, ticks: 10);

        // 1000 requests: 250 to the latest revision, of which 20% fail; 750 to podinfo-00001.
        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("knative", ns, "podinfo-00002");
        var rate = Scrape.Selectors(successRate);
        var ok = Scrape.Select(samples, rate[0]);
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal([$"{ns}/podinfo-00002"], all.Select(s => s.Labels["envoy_cluster_name"]).Distinct());
        Assert.Equal(250, all.Sum(s => s.Value), 6);
        Assert.Equal(80.0, ok.Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        Assert.Equal(750, Scrape.Select(samples, ("envoy_cluster_upstream_rq", [("envoy_cluster_name", "=", $"{ns}/podinfo-00001")])).Sum(s => s.Value), 6);
        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal(250, buckets.Single(b => b.Labels["le"] == "+Inf").Value, 6);
        Assert.DoesNotContain(samples, s => s.Name == "envoy_cluster_upstream_rq" && s.Labels["envoy_cluster_name"].StartsWith($"{ns}_podinfo-0000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_route_naming_its_envoy_cluster_is_recorded_under_that_name_only()
    {
        var registry = Metrics.NewCustomRegistry();
        var exporter = new EnvoyExporter(Metrics.WithCustomRegistry(registry));
        exporter.Record(new RequestOutcome("test", "podinfo-00002", 80, "podinfo-00002-deployment", "podinfo-00002", "pod", "200", 10, 20, 0.25, EnvoyExporter.ClusterVia("test/podinfo-00002")));

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, Ct);
        var samples = Scrape.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        // (the answering pod's App Mesh series carries no cluster name: Prometheus drops the empty label)
        var requests = Assert.Single(samples, s => s.Name == "envoy_cluster_upstream_rq" && s.Labels.GetValueOrDefault("envoy_cluster_name", "") != "");
        Assert.Equal("test/podinfo-00002", requests.Labels["envoy_cluster_name"]);
        Assert.Equal(10, requests.Value);
    }

    private async Task<JsonNode> ServiceAsync(string ns) =>
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("serving.knative.dev", "v1", ns, "services", "podinfo", cancellationToken: Ct)))!;

    private Task<JsonNode> ReadyRevisionAsync(string ns, string revision) =>
        Expect.EventuallyAsync(() => ServiceAsync(ns), s => (string?)s["status"]?["latestReadyRevisionName"] == revision);
}
