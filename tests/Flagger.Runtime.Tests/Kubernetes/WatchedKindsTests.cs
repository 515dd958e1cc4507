using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Runtime.Tests.Kubernetes;

public sealed class WatchedKindsTests
{
    [Fact]
    public async Task The_operator_watches_the_kinds_the_modules_declare_and_each_once()
    {
        var kubeconfig = Path.GetTempFileName();
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """, TestContext.Current.CancellationToken);
        try
        {
            var (app, exit) = FlaggerHost.Build([$"-kubeconfig={kubeconfig}", "-port=0"]);
            Assert.Equal(0, exit);
            Assert.NotNull(app);
            await using var _ = app;

            var kinds = app.Services.GetRequiredService<KubeCache>().Informers.Select(i => i.Kind.ToString()).Order(StringComparer.Ordinal);

            // The list the host used to spell out itself: Flagger's kinds, the workloads' kinds and Istio's router objects.
            Assert.Equal(
                [
                    "alertproviders.flagger.app", "canaries.flagger.app", "configmaps", "daemonsets.apps", "deployments.apps",
                    "destinationrules.networking.istio.io", "horizontalpodautoscalers.autoscaling", "metrictemplates.flagger.app",
                    "revisions.serving.knative.dev", "scaledobjects.keda.sh", "secrets", "services", "services.serving.knative.dev",
                    "virtualservices.networking.istio.io",
                ],
                kinds);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
