namespace Flagger.Simulator.Tests.Traffic.Exporters;

/// <summary>
/// Linkerd, OSM and Kuma: traffic routed by the provider's object (TrafficSplit, TrafficRoute) reaches the workloads by
/// weight, and the provider's builtin queries select the canary's series with its success rate and latency.
/// </summary>
public sealed class MeshExporterTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    [Fact]
    public async Task Linkerd_queries_select_the_inbound_responses_of_the_canary_deployment()
    {
        var (scenario, ns) = await CanaryAsync("linkerd");
        await MeshScenario.TrafficSplitAsync(fx, ns, "v1alpha1", "podinfo", """[{"service":"podinfo-canary","weight":"50"},{"service":"podinfo-primary","weight":"50"}]""");
        await scenario.SendAsync(rps: 200, ticks: 10);

        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("linkerd", ns, "podinfo-canary");
        var rate = Scrape.Selectors(successRate);
        Assert.Equal(["response_total", "response_total"], rate.Select(s => s.Metric));
        var ok = Scrape.Select(samples, rate[0]);
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal(500, all.Sum(s => s.Value));
        Assert.Equal(90.0, ok.Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        Assert.Equal(["inbound"], all.Select(s => s.Labels["direction"]).Distinct());
        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal("response_latency_ms_bucket", Assert.Single(buckets.Select(b => b.Name).Distinct()));
        Assert.Equal(500, buckets.Where(b => b.Labels["le"] == "+Inf").Sum(b => b.Value));
    }

    [Fact]
    public async Task Osm_queries_select_the_requests_to_the_canary_deployment()
    {
        var (scenario, ns) = await CanaryAsync("osm");
        await MeshScenario.TrafficSplitAsync(fx, ns, "v1alpha2", "podinfo", """[{"service":"podinfo-canary","weight":20},{"service":"podinfo-primary","weight":80}]""");
        await scenario.SendAsync(rps: 200, ticks: 10);

        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("osm", ns, "podinfo-canary");
        var rate = Scrape.Selectors(successRate);
        Assert.Equal(["osm_request_total", "osm_request_total"], rate.Select(s => s.Metric));
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal(200, all.Sum(s => s.Value));
        Assert.Equal(90.0, Scrape.Select(samples, rate[0]).Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal("osm_request_duration_ms_bucket", Assert.Single(buckets.Select(b => b.Name).Distinct()));
        Assert.Equal(200, buckets.Where(b => b.Labels["le"] == "+Inf").Sum(b => b.Value));
    }

    [Fact]
    public async Task Kuma_queries_select_the_canary_dataplane_series_by_its_service_tag_and_contour_series_are_unchanged()
    {
        var (scenario, ns) = await CanaryAsync("kuma");
        await MeshScenario.TrafficRouteAsync(fx, ns, 70, 30);
        await scenario.SendAsync(rps: 200, ticks: 10);

        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("kuma", ns, "podinfo");
        var rate = Scrape.Selectors(successRate);
        Assert.Equal(["envoy_cluster_upstream_rq", "envoy_cluster_upstream_rq"], rate.Select(s => s.Metric));
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal([$"podinfo-canary_{ns}_svc_9898"], all.Select(s => s.Labels["service"]).Distinct());
        Assert.Equal(300, all.Sum(s => s.Value));
        Assert.Equal(90.0, Scrape.Select(samples, rate[0]).Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        Assert.Equal(300, Scrape.Select(Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration))), ("envoy_cluster_upstream_rq_time_bucket", [("le", "=", "+Inf")])).Sum(b => b.Value));

        // Contour's series of the same requests: one per Envoy cluster, without a Kuma service tag.
        var contour = Scrape.Select(samples, ("envoy_cluster_upstream_rq", [("envoy_cluster_name", "=", $"{ns}_podinfo-canary_9898")]));
        Assert.Equal(300, contour.Sum(s => s.Value));
        Assert.All(contour, s => Assert.Equal("", s.Labels.GetValueOrDefault("service", "")));
    }

    private async Task<(TrafficScenario Scenario, string Ns)> CanaryAsync(string prefix)
    {
        MeshScenario.InstallCrds(fx);
        var ns = await fx.NamespaceAsync(prefix);
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0.1, latencyMs: 30);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        return (scenario, ns);
    }
}
