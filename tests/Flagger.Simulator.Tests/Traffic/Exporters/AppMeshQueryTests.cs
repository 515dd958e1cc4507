using Flagger.Simulator.Tests.Traffic.Routes;

namespace Flagger.Simulator.Tests.Traffic.Exporters;

public sealed class AppMeshQueryTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    [Fact]
    public async Task The_builtin_appmesh_queries_select_the_canary_pods_series_with_their_success_rate_and_latency()
    {
        var ns = await AppMesh.SetUpAsync(fx, "test");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo", 0.2, latencyMs: 30);
        await scenario.ServiceAsync("podinfo-canary", "podinfo");
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualnodes", AppMesh.NodeV1Beta2("podinfo-primary", ns));
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualnodes", AppMesh.NodeV1Beta2("podinfo-canary", ns));
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualrouters", """
            {"metadata":{"name":"podinfo"},"spec":{"listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],"routes":[
              {"name":"podinfo","httpRoute":{"match":{"prefix":"/"},"action":{"weightedTargets":[
                {"virtualNodeRef":{"name":"podinfo-canary"},"weight":40},{"virtualNodeRef":{"name":"podinfo-primary"},"weight":60}]}}}]}}
            """);
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualservices",
            """{"metadata":{"name":"podinfo"},"spec":{"provider":{"virtualRouter":{"virtualRouterRef":{"name":"podinfo"}}}}}""");

        await scenario.SendAsync(rps: 200, ticks: 10);

        // 1000 requests, 400 to the canary pods (target podinfo) of which 20% fail; the primary pods do not match.
        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("appmesh", ns, "podinfo");
        var rate = Scrape.Selectors(successRate);
        Assert.Equal(["envoy_cluster_upstream_rq", "envoy_cluster_upstream_rq"], rate.Select(s => s.Metric));
        var ok = Scrape.Select(samples, rate[0]);
        var all = Scrape.Select(samples, rate[1]);
        Assert.All(all, s => Assert.StartsWith("podinfo-", s.Labels["kubernetes_pod_name"], StringComparison.Ordinal));
        Assert.DoesNotContain(all, s => s.Labels["kubernetes_pod_name"].StartsWith("podinfo-primary-", StringComparison.Ordinal));
        Assert.Equal(400, all.Sum(s => s.Value));
        Assert.Equal(80.0, ok.Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        Assert.Equal(600, Scrape.Select(samples, ("envoy_cluster_upstream_rq", [("kubernetes_namespace", "=", ns), ("kubernetes_pod_name", "=~", "podinfo-primary-.*")])).Sum(s => s.Value));

        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal(400, buckets.Where(b => b.Labels["le"] == "+Inf").Sum(b => b.Value));
    }
}
