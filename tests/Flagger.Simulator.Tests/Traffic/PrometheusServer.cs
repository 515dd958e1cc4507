using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>A real Prometheus (from <see cref="Path"/>) scraping one target every second, for query-level tests.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Path = "/usr/bin/prometheus";

    private readonly Process process;
    private readonly string dir;
    private readonly HttpClient http;

    private PrometheusServer(Process process, string dir, int port)
    {
        this.process = process;
        this.dir = dir;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
    }

    public static PrometheusServer Start(Uri target)
    {
        var dir = Directory.CreateTempSubdirectory("sim-prom-").FullName;
        var port = FreePort();
        File.WriteAllText(System.IO.Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
            - job_name: simulator
              metrics_path: {target.AbsolutePath}
              static_configs:
              - targets: ['{target.Host}:{target.Port}']
            """);
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                $"--config.file={System.IO.Path.Combine(dir, "prometheus.yml")}",
                $"--storage.tsdb.path={System.IO.Path.Combine(dir, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--storage.tsdb.retention.time=1h",
            },
        };
        var process = Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new PrometheusServer(process, dir, port);
    }

    /// <summary>Polls an instant query until <paramref name="accept"/> holds for its first value (NaN while there is none).</summary>
    public Task<double> EventuallyAsync(string query, Func<double, bool> accept, int timeoutMs = 30_000) =>
        Expect.EventuallyAsync(() => QueryAsync(query), accept, timeoutMs);

    private async Task<double> QueryAsync(string query)
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
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
