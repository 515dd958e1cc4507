namespace Flagger.Simulator.Tests.Traffic.Exporters;

public sealed class GlooQueryTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    [Fact]
    public async Task The_builtin_gloo_queries_select_the_canary_upstream_cluster_of_requests_a_route_table_carried()
    {
        await ProviderCrds.ApplyAsync(fx, "gloo");
        var ns = await fx.NamespaceAsync("test");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0.1, latencyMs: 30);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        foreach (var role in new[] { "primary", "canary" })
        {
            await ProviderCrds.CreateAsync(fx, ns, "upstreams", $$$$"""
                {"apiVersion":"gloo.solo.io/v1","kind":"Upstream","metadata":{"name":"{{{{ns}}}}-podinfo-{{{{role}}}}upstream-9898"},
                 "spec":{"kube":{"serviceName":"podinfo-{{{{role}}}}","serviceNamespace":"{{{{ns}}}}","servicePort":9898}}}
                """);
        }

        await ProviderCrds.CreateAsync(fx, ns, "routetables", $$$$"""
            {"apiVersion":"gateway.solo.io/v1","kind":"RouteTable","metadata":{"name":"podinfo"},
             "spec":{"routes":[{"routeAction":{"multi":{"destinations":[
               {"destination":{"upstream":{"name":"{{{{ns}}}}-podinfo-primaryupstream-9898","namespace":"{{{{ns}}}}"}},"weight":50},
               {"destination":{"upstream":{"name":"{{{{ns}}}}-podinfo-canaryupstream-9898","namespace":"{{{{ns}}}}"}},"weight":50}]}}}]}}
            """);
        await ProviderCrds.CreateAsync(fx, ns, "virtualservices", $$$$"""
            {"apiVersion":"gateway.solo.io/v1","kind":"VirtualService","metadata":{"name":"podinfo"},
             "spec":{"virtualHost":{"domains":["*"],"routes":[{"matchers":[{"prefix":"/"}],"delegateAction":{"ref":{"name":"podinfo","namespace":"{{{{ns}}}}"}}}]}}}
            """);
        await scenario.SendAsync(rps: 200, ticks: 10);

        // 1000 requests, 500 through the canary Upstream of which 10% fail.
        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("gloo", ns, "podinfo");
        var rate = Scrape.Selectors(successRate);
        var ok = Scrape.Select(samples, rate[0]);
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal([$"{ns}-podinfo-canaryupstream-9898_{ns}"], all.Select(s => s.Labels["envoy_cluster_name"]).Distinct());
        Assert.Equal(500, all.Sum(s => s.Value));
        Assert.Equal(90.0, ok.Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal(500, buckets.Where(b => b.Labels["le"] == "+Inf").Sum(b => b.Value));

        // Contour's naming of the same requests is still there.
        Assert.Equal(500, Scrape.Select(samples, ("envoy_cluster_upstream_rq", [("envoy_cluster_name", "=", $"{ns}_podinfo-canary_9898")])).Sum(s => s.Value));
    }
}
