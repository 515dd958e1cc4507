using Flagger.Runtime.Hosting;
using Flagger.Simulator;
using Flagger.Simulator.Control;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Runtime.Tests.Kubernetes;

/// <summary>Startup checks under faults injected by the simulator: transient errors are waited out, the rest exit cleanly.</summary>
public sealed class StartupChecksTests : IAsyncLifetime
{
    private SimulatedCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await TestCluster.StartAsync();

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Three_transient_errors_listing_metrictemplates_are_retried_with_backoff_until_the_check_passes(int status)
    {
        Assert.Null(_cluster.Faults.Add(new FaultRule { Verb = "list", Resource = "metrictemplates", Status = status, Count = 3 }));
        var time = new FakeTimeProvider();
        var lifetime = new Lifetime();
        var checks = new StartupChecks(TestCluster.Api(_cluster), lifetime, time, NullLogger<StartupChecks>.Instance);

        var check = checks.StartAsync(TestContext.Current.CancellationToken);
        var waited = TimeSpan.Zero;
        while (!check.IsCompleted && waited < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
            time.Advance(TimeSpan.FromMilliseconds(500));
            waited += TimeSpan.FromMilliseconds(500);
        }

        await check;
        Assert.Null(checks.Failure);
        Assert.False(lifetime.Stopped);
        Assert.Equal(4, _cluster.Requests.Count(verb: "list", resource: "metrictemplates"));
        // 1s + 2s + 4s of backoff before the fourth attempt.
        Assert.InRange(waited, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(403, "Check the operator's RBAC")]
    [InlineData(401, "Check the operator's RBAC")]
    [InlineData(404, "The metrictemplates.flagger.app CRD is not installed")]
    public async Task A_permanent_error_fails_at_once_with_a_precise_message(int status, string message)
    {
        Assert.Null(_cluster.Faults.Add(new FaultRule { Verb = "list", Resource = "metrictemplates", Status = status }));
        var checks = new StartupChecks(TestCluster.Api(_cluster), new Lifetime(), new FakeTimeProvider(), NullLogger<StartupChecks>.Instance);

        var failure = await checks.CheckAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(failure);
        Assert.Contains(message, failure, StringComparison.Ordinal);
        Assert.Equal(1, _cluster.Requests.Count(verb: "list", resource: "metrictemplates"));
    }

    [Fact]
    public async Task The_operator_refused_by_rbac_exits_with_code_1_and_no_unhandled_exception()
    {
        Assert.Null(_cluster.Faults.Add(new FaultRule { Verb = "list", Resource = "metrictemplates", Status = 403 }));
        var logs = new LogSink();
        var (app, _) = FlaggerHost.Build(
            [$"-kubeconfig={_cluster.KubeconfigPath}", "-port=0", "-log-level=info"],
            builder => builder.Logging.ClearProviders().AddProvider(logs));

        var exitCode = await FlaggerHost.RunAsync(app!).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        var severe = logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        var crit = Assert.Single(severe);
        Assert.Equal(LogLevel.Critical, crit.Level);
        Assert.Contains("Cannot list metrictemplates.flagger.app", crit.Text, StringComparison.Ordinal);
        Assert.Contains("403", crit.Text, StringComparison.Ordinal);
        Assert.Equal(0, _cluster.Requests.Count(verb: "watch"));
    }

    private sealed class LogSink : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Text)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));

        public void Dispose()
        {
        }
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public bool Stopped { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopped = true;
    }
}
