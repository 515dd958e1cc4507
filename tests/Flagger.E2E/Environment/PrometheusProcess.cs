using System.Diagnostics;
using System.Text;

namespace Flagger.E2E.Environment;

/// <summary>A real Prometheus server on a free loopback port, scraping the given targets every second.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _log = new();

    private PrometheusProcess(Process process, string dir, string url)
    {
        _process = process;
        _dir = dir;
        Url = url;
    }

    public string Url { get; }

    /// <summary>$PROMETHEUS_BINARY, else <c>prometheus</c> on PATH; null when there is none.</summary>
    public static string? Binary =>
        new[] { System.Environment.GetEnvironmentVariable("PROMETHEUS_BINARY") }
            .Concat((System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, "prometheus")))
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public static async Task<PrometheusProcess> StartAsync(IEnumerable<string> targets, CancellationToken cancellationToken)
    {
        var binary = Binary ?? throw new InvalidOperationException("prometheus not found ($PROMETHEUS_BINARY, PATH); install it with `apt-get install prometheus`");
        var dir = Directory.CreateTempSubdirectory("flagger-e2e-prometheus-").FullName;
        var config = $$"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: mesh
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: [{{string.Join(", ", targets.Select(t => $"'{t}'"))}}]
            """;
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), config, cancellationToken);
        var port = Ports.Free();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            $"--config.file={Path.Combine(dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn", "--storage.tsdb.retention.time=1h",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {binary}");
        var prometheus = new PrometheusProcess(process, dir, $"http://127.0.0.1:{port}");
        process.ErrorDataReceived += (_, e) => { lock (prometheus._log) { prometheus._log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (prometheus._log) { prometheus._log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var ready = await http.GetAsync($"{prometheus.Url}/-/ready", cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return prometheus;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100, cancellationToken);
        }

        string log;
        lock (prometheus._log)
        {
            log = prometheus._log.ToString();
        }

        await prometheus.DisposeAsync();
        throw new InvalidOperationException($"prometheus did not become ready within 30s; output: {log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by the dying process; the temp folder is cleaned by the OS
        }
    }
}
