using static Flagger.Simulator.Tests.Traffic.Routes.IngressRoutes;

namespace Flagger.Simulator.Tests.Traffic.Exporters;

/// <summary>A real Prometheus runs the builtin NGINX and Skipper queries against the simulator's ingress series.</summary>
public sealed class IngressQueryPrometheusTests(LiveTrafficFixture fx) : IClassFixture<LiveTrafficFixture>
{
    [Fact]
    public async Task A_real_Prometheus_computes_the_canary_success_rate_and_latency_from_the_builtin_nginx_queries()
    {
        SkipWithoutPrometheus();
        var ns = await fx.NamespaceAsync("nginx");
        var scenario = await WorkloadsAsync(ns);
        await scenario.IngressAsync(Ingress("podinfo", "nginx", new Dictionary<string, string>(), "podinfo"));
        await scenario.IngressAsync(Ingress("podinfo-canary", "nginx", new Dictionary<string, string>
        {
            ["nginx.ingress.kubernetes.io/canary"] = "true",
            ["nginx.ingress.kubernetes.io/canary-weight"] = "50",
        }, "podinfo-canary"));
        await scenario.SendAsync(rps: 200, ticks: 0);

        var (successRate, duration) = BuiltinQueries.Render("nginx", ns, "podinfo", interval: "5s");
        await using var prometheus = PrometheusServer.Start(fx.Cluster.TelemetryUrl!);
        // Only the canary's requests (canary!=""): error rate 0.1 → ~90 %; the average latency is about its 30 ms median.
        await prometheus.EventuallyAsync(successRate, v => v is >= 88 and <= 92);
        await prometheus.EventuallyAsync(duration, v => v is >= 25 and <= 60);
    }

    [Fact]
    public async Task A_real_Prometheus_computes_the_canary_success_rate_and_latency_from_the_builtin_skipper_queries()
    {
        SkipWithoutPrometheus();
        var ns = await fx.NamespaceAsync("skipper");
        var scenario = await WorkloadsAsync(ns);
        await scenario.IngressAsync(Ingress("podinfo", "skipper", new Dictionary<string, string>(), "podinfo"));
        await scenario.IngressAsync(Ingress("podinfo-canary", "skipper", new Dictionary<string, string>
        {
            ["zalando.org/backend-weights"] = """{"podinfo-canary":50,"podinfo-primary":50}""",
            ["zalando.org/skipper-predicate"] = "Weight(100)",
        }, "podinfo-primary", "podinfo-canary"));
        await scenario.SendAsync(rps: 200, ticks: 0);

        var (successRate, duration) = BuiltinQueries.Render("skipper", ns, "podinfo", interval: "5s");
        await using var prometheus = PrometheusServer.Start(fx.Cluster.TelemetryUrl!);
        await prometheus.EventuallyAsync(successRate, v => v is >= 88 and <= 92);
        await prometheus.EventuallyAsync(duration, v => v is >= 25 and <= 60);
    }

    private static void SkipWithoutPrometheus()
    {
        if (!File.Exists(PrometheusServer.Path))
        {
            Assert.Skip($"prometheus is not installed at {PrometheusServer.Path} (apt-get install prometheus)");
        }
    }

    private async Task<TrafficScenario> WorkloadsAsync(string ns)
    {
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0.1, latencyMs: 30);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        return scenario;
    }
}
