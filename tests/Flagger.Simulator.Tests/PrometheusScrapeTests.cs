using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using k8s;
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
    private const string PrometheusPath = "/usr/bin/prometheus";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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

        var dir = Directory.CreateTempSubdirectory("sim-prom-").FullName;
        var port = FreePort();
        var target = fx.Cluster.TelemetryUrl!;
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
            - job_name: simulator
              metrics_path: {target.AbsolutePath}
              static_configs:
              - targets: ['{target.Host}:{target.Port}']
            """);
        var psi = new ProcessStartInfo(PrometheusPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                $"--config.file={Path.Combine(dir, "prometheus.yml")}",
                $"--storage.tsdb.path={Path.Combine(dir, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--storage.tsdb.retention.time=1h",
            },
        };
        using var prometheus = Process.Start(psi)!;
        _ = prometheus.StandardOutput.ReadToEndAsync();
        _ = prometheus.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            // upstream: pkg/metrics/providers/istio.go, request-success-rate
            var query = $"sum(rate(istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{ns}\",destination_workload=~\"podinfo\",response_code!~\"5.*\"}}[5s])) / " +
                        $"sum(rate(istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{ns}\",destination_workload=~\"podinfo\"}}[5s]))";
            var value = await Expect.EventuallyAsync(async () =>
            {
                try
                {
                    var body = JsonNode.Parse(await http.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)))!;
                    var result = body["data"]?["result"]?.AsArray();
                    return result is { Count: > 0 } ? double.Parse((string)result[0]!["value"]![1]!, CultureInfo.InvariantCulture) : double.NaN;
                }
                catch (HttpRequestException)
                {
                    return double.NaN;
                }
            }, v => !double.IsNaN(v), timeoutMs: 30_000);
            Assert.InRange(value, 0.95 * 0.99, 0.95 * 1.01);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }
}
