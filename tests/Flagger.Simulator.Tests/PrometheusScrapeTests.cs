using k8s;
using Flagger.Simulator.Tests.Traffic;
using k8s.Models;

namespace Flagger.Simulator.Tests;

/// <summary>Traffic model running on its own timer with a fast tick, telemetry on.</summary>
public sealed class LiveTrafficFixture : SimFixture
{
    protected override SimulatorOptions Options => base.Options with
    {
        EnableWorkloadController = true,
        EnableTraffic = true,
        TrafficTick = TimeSpan.FromMilliseconds(100),
        TelemetryPort = 0,
    };
}

/// <summary>A real Prometheus scrapes the simulator and the builtin success-rate query returns the configured value.</summary>
public sealed class PrometheusScrapeTests(LiveTrafficFixture fx) : IClassFixture<LiveTrafficFixture>
{
    private const string PrometheusPath = PrometheusServer.Path;

    [Fact]
    public async Task A_real_Prometheus_computes_the_configured_success_rate_within_one_percent()
    {
        if (!File.Exists(PrometheusPath))
        {
            Assert.Skip($"prometheus is not installed at {PrometheusPath} (apt-get install prometheus)");
        }

        var ns = await fx.NamespaceAsync("prom");
        await fx.Client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("podinfo", replicas: 2, templateAnnotations: new Dictionary<string, string>
        {
            ["simulator.flagger.app/error-rate"] = "0.05",
        }), ns);
        await fx.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", Annotations = new Dictionary<string, string> { ["simulator.flagger.app/rps"] = "200" } },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "podinfo" }, Ports = [new V1ServicePort { Port = 9898 }] },
        }, ns);

        await using var prometheus = PrometheusServer.Start(fx.Cluster.TelemetryUrl!);
        // upstream: pkg/metrics/providers/istio.go, request-success-rate
        var query = $"sum(rate(istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{ns}\",destination_workload=~\"podinfo\",response_code!~\"5.*\"}}[5s])) / " +
                    $"sum(rate(istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{ns}\",destination_workload=~\"podinfo\"}}[5s]))";
        var value = await prometheus.EventuallyAsync(query, v => !double.IsNaN(v));
        Assert.InRange(value, 0.95 * 0.99, 0.95 * 1.01);
    }
}
