using Flagger.Runtime;
using Microsoft.AspNetCore.Builder;

namespace Flagger.E2E.Environment;

/// <summary>The operator in-process, built from upstream-style flags exactly as the binary would be.</summary>
internal sealed class OperatorHost(string kubeconfig, string prometheusUrl, string slackUrl)
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var level = System.Environment.GetEnvironmentVariable("FLAGGER_E2E_LOG_LEVEL") is { Length: > 0 } l ? l : "error";
        var (app, exit) = FlaggerHost.Build(
        [
            $"-kubeconfig={kubeconfig}", "-mesh-provider=istio", $"-metrics-server={prometheusUrl}",
            "-min-analysis-interval=1s", "-port=0", $"-log-level={level}", $"-slack-url={slackUrl}", "-slack-channel=e2e",
            "-slack-user=flagger", "-enable-leader-election=false",
            // as upstream's test/contour/install.sh (--set ingressClass=contour); only the Contour router reads it
            "-ingress-class=contour",
        ]);
        Assert.True(app is not null && exit == 0, $"the operator did not build (exit code {exit})");
        _app = app;
        await app.StartAsync(cancellationToken);
    }

    /// <summary>Stops the operator as a killed pod stops: no grace period.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var now = new CancellationTokenSource();
            await now.CancelAsync();
            try
            {
                await app.StopAsync(now.Token);
            }
            catch (OperationCanceledException)
            {
                // expected: stopping with an already-cancelled token
            }

            await app.DisposeAsync();
        }
    }
}
