using Flagger.Simulator.Tests.Traffic.Routes;
using Flagger.Simulator.Traffic.Exporters;
using Prometheus;

namespace Flagger.Simulator.Tests.Traffic.Exporters;

/// <summary>The builtin Traefik and APISIX queries select the series their exporters write for requests those proxies carried.</summary>
public sealed class TraefikApisixExporterTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    private async Task<(string Ns, TrafficScenario Scenario)> WorkloadsAsync(string crds)
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(Repo.File("deploy", "dev", crds), TestContext.Current.CancellationToken));
        var ns = await fx.NamespaceAsync("test");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0.1, latencyMs: 400);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        return (ns, scenario);
    }

    [Fact]
    public async Task The_builtin_traefik_queries_select_the_canary_service_series_with_its_success_rate_and_latency()
    {
        var (ns, scenario) = await WorkloadsAsync("traefik-crds.yaml");
        fx.Cluster.Apply(TraefikRouteTableTests.Objects(ns, """[{"name":"podinfo-primary","port":9898,"weight":50},{"name":"podinfo-canary","port":9898,"weight":50}]"""));
        await scenario.SendAsync(rps: 200, ticks: 10);

        // 1000 requests, 500 through Traefik to the canary of which 10% fail.
        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("traefik", ns, "podinfo");
        var rate = Scrape.Selectors(successRate);
        Assert.Equal(["traefik_service_request_duration_seconds_bucket", "traefik_service_request_duration_seconds_bucket"], rate.Select(s => s.Metric));
        var ok = Scrape.Select(samples, rate[0]);
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal([$"{ns}-podinfo-canary-9898@kubernetescrd"], all.Select(s => s.Labels["service"]).Distinct());
        Assert.Equal(500, all.Sum(s => s.Value));
        Assert.Equal(90.0, ok.Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        Assert.Equal(500, Scrape.Select(samples, ("traefik_service_requests_total", [("service", "=", $"{ns}-podinfo-primary-9898@kubernetescrd")])).Sum(s => s.Value));

        // Median 400 ms with Traefik's coarse buckets (0.1, 0.3, 1.2, 5): the p99 lies in (0.3, 1.2] seconds.
        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal(500, buckets.Where(b => b.Labels["le"] == "+Inf").Sum(b => b.Value));
        Assert.Equal(0, buckets.Where(b => b.Labels["le"] == "0.1").Sum(b => b.Value));
    }

    [Fact]
    public async Task The_builtin_apisix_queries_select_the_canary_route_series_with_its_success_rate_and_latency()
    {
        var (ns, scenario) = await WorkloadsAsync("apisix-crds.yaml");
        fx.Cluster.Apply(ApisixRouteTableTests.Route(ns, "podinfo", """[{serviceName: podinfo, servicePort: 9898}]"""));
        fx.Cluster.Apply(ApisixRouteTableTests.Route(ns, "podinfo-podinfo-canary",
            """[{serviceName: podinfo-primary, servicePort: 9898, weight: 50}, {serviceName: podinfo-canary, servicePort: 9898, weight: 50}]""", priority: 10000));
        await scenario.SendAsync(rps: 200, ticks: 10);

        // All 1000 requests take the canary route (priority 10000); half go to the canary of which 10% fail.
        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("apisix", ns, "podinfo");
        var rate = Scrape.Selectors(successRate);
        Assert.Equal(["apisix_http_status", "apisix_http_status"], rate.Select(s => s.Metric));
        var ok = Scrape.Select(samples, rate[0]);
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal([$"{ns}_podinfo-podinfo-canary_method"], all.Select(s => s.Labels["route"]).Distinct());
        Assert.Equal(1000, all.Sum(s => s.Value));
        Assert.Equal(95.0, ok.Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        Assert.DoesNotContain(samples, s => s.Name == "apisix_http_status" && s.Labels["route"] == $"{ns}_podinfo_method");

        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal(["request"], buckets.Select(b => b.Labels["type"]).Distinct());
        Assert.Equal(1000, buckets.Where(b => b.Labels["le"] == "+Inf").Sum(b => b.Value));
    }

    [Fact]
    public async Task Requests_no_proxy_carried_get_neither_traefik_nor_apisix_series()
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var traefik = new TraefikExporter(factory);
        var apisix = new ApisixExporter(factory);
        var direct = new RequestOutcome("test", "podinfo-canary", 9898, "podinfo-canary", "podinfo-canary", "pod", "200", 10, 20, 0.25);
        traefik.Record(direct);
        apisix.Record(direct);
        traefik.Record(direct with { Via = "podinfo-canary" });
        apisix.Record(direct with { Via = ApisixExporter.ViaRoute("test_podinfo-podinfo-canary_method"), ResponseCode = "503", Count = 4 });
        traefik.Record(direct with { Via = TraefikExporter.ViaTraefikService("podinfo"), Count = 3 });

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        var samples = Scrape.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        var status = Assert.Single(samples, s => s.Name == "apisix_http_status");
        Assert.Equal(("503", "test_podinfo-podinfo-canary_method", 4.0), (status.Labels["code"], status.Labels["route"], status.Value));
        var requests = Assert.Single(samples, s => s.Name == "traefik_service_requests_total");
        Assert.Equal(("200", "test-podinfo-canary-9898@kubernetescrd", 3.0), (requests.Labels["code"], requests.Labels["service"], requests.Value));
    }
}
