using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;

namespace Flagger.Runtime.Hosting;

/// <summary>
/// Upstream's startup checks (<c>cmd/flagger/main.go</c> verifyKubernetesVersion, verifyCRDs): the API server answers
/// with a version, and the flagger.app CRDs are installed. Transient failures (5xx, 429, timeouts, an unreachable server)
/// are retried with capped exponential backoff for as long as they last; only answers that retrying cannot change
/// (401/403: credentials or RBAC; 404: a CRD not installed) are fatal, with a message saying what to fix.
/// </summary>
internal sealed partial class StartupChecks(
    KubeApiClient api, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<StartupChecks> logger) : IHostedService
{
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    private bool _checked;

    /// <summary>Set when a check failed for good; the process exits with code 1 (see <see cref="FlaggerHost.RunAsync"/>).</summary>
    public string? Failure { get; private set; }

    /// <summary>
    /// Runs the checks once (later calls return at once) and logs a failure. The process runs them before starting the
    /// host, so a failure exits without starting anything; a host started directly (tests) runs them in <see cref="StartAsync"/>.
    /// </summary>
    public async Task<bool> EnsureCheckedAsync(CancellationToken cancellationToken)
    {
        if (!_checked)
        {
            Failure = await CheckAsync(cancellationToken);
            _checked = true;
            if (Failure is not null)
            {
                Log.Fatal(logger, Failure);
                Environment.ExitCode = 1;
            }
        }

        return Failure is null;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureCheckedAsync(cancellationToken))
        {
            lifetime.StopApplication();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await RetryTransientAsync("GET /version", api.GetServerVersionAsync, cancellationToken);
            Log.Connected(logger, version);
        }
        catch (KubeApiException e)
        {
            return $"Error calling Kubernetes API: {e.Message}. Check -kubeconfig / -master or the in-cluster service account.";
        }

        foreach (var (crd, probe) in new (string, Func<CancellationToken, Task>)[]
        {
            ("canaries.flagger.app", api.ProbeAsync<Canary>),
            ("metrictemplates.flagger.app", api.ProbeAsync<MetricTemplate>),
            ("alertproviders.flagger.app", api.ProbeAsync<AlertProvider>),
        })
        {
            try
            {
                await RetryTransientAsync($"list {crd}", async ct => { await probe(ct); return true; }, cancellationToken);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                return $"The {crd} CRD is not installed. Apply deploy/crds/ (kubectl apply -f deploy/crds/) and restart.";
            }
            catch (KubeApiException e) when (e.IsAuthorizationFailure)
            {
                return $"Cannot list {crd}: {e.Message}. Check the operator's RBAC (ClusterRole flagger) and its service account.";
            }
            catch (KubeApiException e)
            {
                return $"Cannot list {crd}: {e.Message}.";
            }
        }

        return null;
    }

    /// <summary>Runs <paramref name="call"/> until it succeeds or fails with a non-transient error (rethrown).</summary>
    private async Task<T> RetryTransientAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (KubeApiException e) when (e.IsTransient)
            {
                Log.Retrying(logger, what, delay.TotalSeconds, e.Message);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Critical, Message = "{Failure}")]
        public static partial void Fatal(ILogger logger, string failure);

        [LoggerMessage(Level = LogLevel.Information, Message = "Connected to Kubernetes API {Version}")]
        public static partial void Connected(ILogger logger, string version);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Startup check {What} failed with a transient error, retrying in {DelaySeconds}s: {Error}")]
        public static partial void Retrying(ILogger logger, string what, double delaySeconds, string error);
    }
}
