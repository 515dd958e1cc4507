using System.Diagnostics;
using Flagger.Modules.Analysis;
using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Prometheus;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis;

/// <summary>
/// A real Prometheus (<c>/usr/bin/prometheus</c>) on a loopback port, scraping every second a prometheus-net exporter
/// that keeps producing known traffic: Istio requests at 99 % success with p99 in the (250, 500] ms bucket, and app
/// HTTP requests at 95 % success with p99 in the (0.25, 0.5] s bucket.
/// </summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public const string Binary = "/usr/bin/prometheus";
    private readonly CancellationTokenSource _stop = new();
    private Process? _prometheus;
    private MetricServer? _exporter;
    private Task? _traffic;
    private string? _workDir;

    public string? Url { get; private set; }

    /// <summary>Why the tests skip: only when Prometheus is not installed.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>Why the tests fail: Prometheus is installed but did not start.</summary>
    public string? StartError { get; private set; }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Binary))
        {
            Unavailable = $"{Binary} is not installed (.ci/run installs it from apt)";
            return;
        }

        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var istioRequests = factory.CreateCounter("istio_requests_total", "requests", "reporter", "destination_workload_namespace", "destination_workload", "response_code");
        var istioDuration = factory.CreateHistogram("istio_request_duration_milliseconds", "latency", new HistogramConfiguration
        {
            LabelNames = ["reporter", "destination_workload_namespace", "destination_workload"],
            Buckets = [5, 10, 25, 50, 100, 250, 500, 1000],
        });
        var httpDuration = factory.CreateHistogram("http_request_duration_seconds", "latency", new HistogramConfiguration
        {
            LabelNames = ["kubernetes_namespace", "kubernetes_pod_name", "status"],
            Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        });

        var exporterPort = StubHttpServer.FreePort();
        _exporter = new MetricServer("127.0.0.1", exporterPort, "metrics/", registry);
        _exporter.Start();

        _traffic = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            var ok = istioRequests.WithLabels("destination", "test", "podinfo", "200");
            var failed = istioRequests.WithLabels("destination", "test", "podinfo", "500");
            var latency = istioDuration.WithLabels("destination", "test", "podinfo");
            var httpOk = httpDuration.WithLabels("test", "podinfo-7d9c8b5f4-x2x9z", "200");
            var httpFailed = httpDuration.WithLabels("test", "podinfo-7d9c8b5f4-x2x9z", "500");
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    ok.Inc(99);
                    failed.Inc(1);
                    latency.Observe(20, 98);
                    latency.Observe(400, 2);
                    httpOk.Observe(0.05, 95);
                    httpFailed.Observe(0.3, 5);
                }
            }
            catch (OperationCanceledException)
            {
                // fixture disposed
            }
        });

        _workDir = Directory.CreateTempSubdirectory("flagger-prometheus-").FullName;
        var config = Path.Combine(_workDir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: exporter
                static_configs:
                  - targets: ["127.0.0.1:{exporterPort}"]
            """).ConfigureAwait(false);

        var port = StubHttpServer.FreePort();
        Url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_workDir, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }

        _prometheus = Process.Start(start)!;
        _prometheus.OutputDataReceived += (_, e) => Keep(e.Data);
        _prometheus.ErrorDataReceived += (_, e) => Keep(e.Data);
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_prometheus.HasExited)
            {
                StartError = $"prometheus exited with code {_prometheus.ExitCode}: {string.Join("\n", _log)}";
                return;
            }

            try
            {
                if ((await http.GetAsync(Url + "/-/ready").ConfigureAwait(false)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        StartError = $"prometheus did not become ready within 10s: {string.Join("\n", _log)}";
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 20)
        {
            _log.TryDequeue(out _);
        }
    }

    /// <summary>Skips when Prometheus is absent; fails when it is present but broken.</summary>
    public void Require()
    {
        if (Unavailable is { } reason)
        {
            Assert.Skip(reason);
        }

        if (StartError is { } error)
        {
            Assert.Fail(error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill(entireProcessTree: true);
            await _prometheus.WaitForExitAsync().ConfigureAwait(false);
        }

        _prometheus?.Dispose();
        if (_traffic is not null)
        {
            await _traffic.ConfigureAwait(false);
        }

        if (_exporter is not null)
        {
            await _exporter.StopAsync().ConfigureAwait(false);
        }

        if (_workDir is not null)
        {
            Directory.Delete(_workDir, recursive: true);
        }

        _stop.Dispose();
    }
}

public sealed class PrometheusIntegrationTests(PrometheusFixture prometheus) : IClassFixture<PrometheusFixture>
{
    private CanaryAnalyzer Analyzer(string mesh, InMemoryKube? kube = null) => new(
        kube ?? new InMemoryKube(),
        new MetricProviderFactory(new TestHttpClientFactory(), TimeProvider.System),
        Options.Create(new AnalysisOptions { MetricsServer = prometheus.Url!, MeshProvider = mesh }),
        NullLogger<CanaryAnalyzer>.Instance);

    /// <summary>Polls (bounded) until every check returned a value: rate() needs two scrapes inside the window.</summary>
    private static async Task<CanaryAnalysisResult> AnalyzeWhenDataArrives(CanaryAnalyzer analyzer, Canary canary)
    {
        CanaryAnalysisResult result = new([]);
        for (var attempt = 0; attempt < 40; attempt++)
        {
            result = await analyzer.AnalyzeAsync(canary, TestContext.Current.CancellationToken);
            if (result.Metrics.All(m => m.Value is not null))
            {
                return result;
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        Assert.Fail("no data after 20s: " + string.Join("; ", result.Metrics.Select(m => m.Message)));
        return result;
    }

    [Fact]
    public async Task Builtin_istio_queries_measure_the_success_rate_and_p99()
    {
        prometheus.Require();

        var result = await AnalyzeWhenDataArrives(Analyzer("istio"), Podinfo(SuccessRate(min: 98, interval: "10s"), Duration(max: 500, interval: "10s")));

        Assert.Equal(99, result.Metrics[0].Value!.Value, 0.5);
        Assert.InRange(result.Metrics[1].Value!.Value, 250, 500);
        Assert.True(result.Passed, string.Join("; ", result.Metrics.Select(m => m.Message)));
    }

    [Fact]
    public async Task Builtin_http_queries_measure_the_success_rate_and_p99_in_milliseconds()
    {
        prometheus.Require();

        var result = await AnalyzeWhenDataArrives(Analyzer("kubernetes"), Podinfo(SuccessRate(min: 99, interval: "10s"), Duration(max: 300, interval: "10s")));

        Assert.Equal(95, result.Metrics[0].Value!.Value, 0.5);
        Assert.InRange(result.Metrics[1].Value!.Value, 250, 500);
        Assert.Equal(MetricCheckOutcome.Failed, result.Metrics[0].Outcome);
        Assert.StartsWith("Halt podinfo.test advancement success rate 9", result.Metrics[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("Halt podinfo.test advancement request duration ", result.Metrics[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metric_template_query_runs_through_the_prometheus_provider()
    {
        prometheus.Require();

        var kube = new InMemoryKube();
        kube.Seed(Template("istio-system", "error-rate", "prometheus", prometheus.Url + "/", """
            100 - sum(
                rate(
                    istio_requests_total{
                      reporter="{{ variables.reporter }}",
                      destination_workload_namespace="{{ namespace }}",
                      destination_workload=~"{{ target }}",
                      response_code!~"5.*"
                    }[{{ interval }}]
                )
            )
            /
            sum(
                rate(
                    istio_requests_total{
                      reporter="{{ variables.reporter }}",
                      destination_workload_namespace="{{ namespace }}",
                      destination_workload=~"{{ target }}"
                    }[{{ interval }}]
                )
            ) * 100
            """));
        var canary = Podinfo(TemplateMetric("error-rate", "error-rate", ns: "istio-system", max: 2, interval: "10s",
            variables: new() { ["reporter"] = "destination" }));

        var result = await AnalyzeWhenDataArrives(Analyzer("istio", kube), canary);

        Assert.Equal(1, result.Metrics[0].Value!.Value, 0.5);
        Assert.Equal(MetricCheckOutcome.Passed, result.Metrics[0].Outcome);
    }

    [Fact]
    public async Task A_query_matching_nothing_is_no_data_naming_the_query()
    {
        prometheus.Require();

        var canary = Podinfo(SuccessRate(interval: "10s"));
        canary.Spec.TargetRef!.Name = "absent";
        var result = await Analyzer("istio").AnalyzeAsync(canary, TestContext.Current.CancellationToken);

        var r = Assert.Single(result.Metrics);
        Assert.Equal(MetricCheckOutcome.NoData, r.Outcome);
        Assert.Equal("Halt advancement no values found for istio metric request-success-rate probably absent.test is not receiving traffic: running query failed: no values found", r.Message);
        Assert.Contains("destination_workload=~\"absent\"", r.EventMessage, StringComparison.Ordinal);
        Assert.True((await Analyzer("istio").CheckProvidersAsync(canary, TestContext.Current.CancellationToken)).Available);
    }
}
