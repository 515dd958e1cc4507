using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;

namespace Flagger.Runtime.Hosting;

/// <summary>
/// Upstream's startup checks (<c>cmd/flagger/main.go</c> verifyKubernetesVersion, verifyCRDs): the API server answers
/// with a version, and the flagger.app CRDs are installed. A failure is fatal, with a message saying what to fix.
/// </summary>
internal sealed partial class StartupChecks(
    KubeApiClient api, IHostApplicationLifetime lifetime, ILogger<StartupChecks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var failure = await CheckAsync(cancellationToken);
        if (failure is not null)
        {
            Log.Fatal(logger, failure);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await api.GetServerVersionAsync(cancellationToken);
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
                await probe(cancellationToken);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                return $"The {crd} CRD is not installed. Apply deploy/crds/ (kubectl apply -f deploy/crds/) and restart.";
            }
            catch (KubeApiException e)
            {
                return $"Cannot list {crd}: {e.Message}. Check the operator's RBAC.";
            }
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Critical, Message = "{Failure}")]
        public static partial void Fatal(ILogger logger, string failure);

        [LoggerMessage(Level = LogLevel.Information, Message = "Connected to Kubernetes API {Version}")]
        public static partial void Connected(ILogger logger, string version);
    }
}
