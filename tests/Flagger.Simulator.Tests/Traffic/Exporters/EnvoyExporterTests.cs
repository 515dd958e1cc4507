using Flagger.Simulator.Traffic.Exporters;
using Prometheus;

namespace Flagger.Simulator.Tests.Traffic.Exporters;

public sealed class EnvoyExporterTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    [Fact]
    public async Task The_builtin_contour_queries_select_the_canary_cluster_series_with_its_success_rate_and_latency()
    {
        var ns = await fx.NamespaceAsync("test");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0.1, latencyMs: 30);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        await scenario.VirtualServiceAsync("podinfo", """["podinfo"]""",
            """[{"route":[{"destination":{"host":"podinfo-primary"},"weight":50},{"destination":{"host":"podinfo-canary"},"weight":50}]}]""");
        await scenario.SendAsync(rps: 200, ticks: 10);

        // 1000 requests, 500 to the canary's cluster of which 10% fail.
        var samples = await scenario.ScrapeAsync();
        var (successRate, duration) = BuiltinQueries.Render("contour", ns, "podinfo");
        var rate = Scrape.Selectors(successRate);
        Assert.Equal(["envoy_cluster_upstream_rq", "envoy_cluster_upstream_rq"], rate.Select(s => s.Metric));
        var ok = Scrape.Select(samples, rate[0]);
        var all = Scrape.Select(samples, rate[1]);
        Assert.Equal([$"{ns}_podinfo-canary_9898"], all.Select(s => s.Labels["envoy_cluster_name"]).Distinct());
        Assert.Equal(500, all.Sum(s => s.Value));
        Assert.Equal(90.0, ok.Sum(s => s.Value) / all.Sum(s => s.Value) * 100, 6);
        Assert.Equal(500, Scrape.Select(samples, ("envoy_cluster_upstream_rq", [("envoy_cluster_name", "=", $"{ns}_podinfo-primary_9898")])).Sum(s => s.Value));

        var buckets = Scrape.Select(samples, Assert.Single(Scrape.Selectors(duration)));
        Assert.Equal("envoy_cluster_upstream_rq_time_bucket", Assert.Single(buckets.Select(b => b.Name).Distinct()));
        Assert.Equal(500, buckets.Single(b => b.Labels["le"] == "+Inf").Value);
        // Median 30 ms, sigma 0.25: p99 ≈ 54 ms. The simulator's bucket spread observes the (50, 100] share at 50 ms, so
        // the estimate lands just under 50; either way it is far from the primary's 20 ms and from the timeouts.
        Assert.InRange(Quantile(0.99, buckets), 30, 100);
    }

    [Fact]
    public async Task A_Service_without_a_port_has_no_envoy_cluster_and_is_not_recorded()
    {
        var registry = Metrics.NewCustomRegistry();
        var exporter = new EnvoyExporter(Metrics.WithCustomRegistry(registry));
        exporter.Record(new RequestOutcome("test", "podinfo-canary", null, "podinfo-canary", "podinfo-canary", "pod", "200", 10, 20, 0.25));
        exporter.Record(new RequestOutcome("test", "podinfo-canary", 9898, "unknown", "unknown", null, "503", 4, 0.5, 0));

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        var samples = Scrape.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        // (the pod's App Mesh series carry no cluster name: Prometheus drops the empty label; localhost_9898 is Kuma's inbound cluster)
        var requests = Assert.Single(samples, s => s.Name == "envoy_cluster_upstream_rq" && s.Labels.GetValueOrDefault("envoy_cluster_name", "") is not "" and not "localhost_9898");
        Assert.Equal("test_podinfo-canary_9898", requests.Labels["envoy_cluster_name"]);
        Assert.Equal("503", requests.Labels["envoy_response_code"]);
        Assert.Equal(4, requests.Value);
        Assert.Equal(4, Assert.Single(samples, s => s.Name == "envoy_cluster_upstream_rq_time_count" && s.Labels.GetValueOrDefault("envoy_cluster_name", "") is not "" and not "localhost_9898").Value);
    }

    /// <summary>Prometheus' histogram_quantile over cumulative buckets (linear inside the bucket).</summary>
    private static double Quantile(double q, List<Sample> buckets)
    {
        var sorted = buckets.Select(b => (Le: b.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(b.Labels["le"], System.Globalization.CultureInfo.InvariantCulture), b.Value))
            .GroupBy(b => b.Le).Select(g => (Le: g.Key, Count: g.Sum(b => b.Value))).OrderBy(b => b.Le).ToList();
        var rank = q * sorted[^1].Count;
        var (lower, below) = (0.0, 0.0);
        foreach (var (le, count) in sorted)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(le) ? lower : lower + ((le - lower) * (rank - below) / (count - below));
            }

            (lower, below) = (le, count);
        }

        return double.NaN;
    }
}
