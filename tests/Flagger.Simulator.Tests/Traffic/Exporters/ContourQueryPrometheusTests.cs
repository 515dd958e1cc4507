namespace Flagger.Simulator.Tests.Traffic.Exporters;

/// <summary>A real Prometheus runs the builtin Contour queries against the simulator's Envoy series.</summary>
public sealed class ContourQueryPrometheusTests(LiveTrafficFixture fx) : IClassFixture<LiveTrafficFixture>
{
    [Fact]
    public async Task A_real_Prometheus_computes_the_canary_success_rate_and_latency_from_the_builtin_contour_queries()
    {
        if (!File.Exists(PrometheusServer.Path))
        {
            Assert.Skip($"prometheus is not installed at {PrometheusServer.Path} (apt-get install prometheus)");
        }

        var ns = await fx.NamespaceAsync("test");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0.1, latencyMs: 30);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        await scenario.VirtualServiceAsync("podinfo", """["podinfo"]""",
            """[{"route":[{"destination":{"host":"podinfo-primary"},"weight":50},{"destination":{"host":"podinfo-canary"},"weight":50}]}]""");
        await scenario.SendAsync(rps: 200, ticks: 0);

        var (successRate, duration) = BuiltinQueries.Render("contour", ns, "podinfo", interval: "5s");
        await using var prometheus = PrometheusServer.Start(fx.Cluster.TelemetryUrl!);
        // Error rate 0.1 on the canary only: ~90 %. Its p99 (median 30 ms) is far above the primary's 20 ms median and
        // well under 100 ms. Windows of a few scrapes on a busy machine may sit at the edge, so wait for the value.
        await prometheus.EventuallyAsync(successRate, v => v is >= 88 and <= 92);
        await prometheus.EventuallyAsync(duration, v => v is >= 30 and <= 100);
    }
}
