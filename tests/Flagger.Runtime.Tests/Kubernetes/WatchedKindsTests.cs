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

            // The list the host used to spell out itself: Flagger's kinds, the workloads' kinds and the routers' objects
            // (App Mesh: v1beta1 and v1beta2 of virtual nodes and services, one informer per version).
            Assert.Equal(
                [
                    "alertproviders.flagger.app", "canaries.flagger.app", "configmaps", "daemonsets.apps", "deployments.apps",
                    "destinationrules.networking.istio.io", "horizontalpodautoscalers.autoscaling", "metrictemplates.flagger.app",
                    "revisions.serving.knative.dev", "scaledobjects.keda.sh", "secrets", "services", "services.serving.knative.dev", "virtualnodes.appmesh.k8s.aws", "virtualnodes.appmesh.k8s.aws", "virtualrouters.appmesh.k8s.aws", "virtualservices.appmesh.k8s.aws", "virtualservices.appmesh.k8s.aws", "virtualservices.networking.istio.io",
                ],
                kinds);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
