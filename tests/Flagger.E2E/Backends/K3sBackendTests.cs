using Flagger.E2E.Environment;
using k8s;

namespace Flagger.E2E.Backends;

/// <summary>
/// The k3s backend is always tried, whatever FLAGGER_E2E_BACKEND says: where Docker (and kubectl, istioctl) answer it
/// must start, install Istio, the CRDs, Prometheus and the loadtester and run the operator; elsewhere it reports
/// skipped with the reason. The full scenario list runs on it with FLAGGER_E2E_BACKEND=k3s.
/// </summary>
public sealed class K3sBackendTests
{
    [Fact]
    public async Task The_k3s_backend_starts_with_istio_the_crds_and_the_operator()
    {
        var reason = await K3sBackend.UnavailableReasonAsync(TestContext.Current.CancellationToken);
        if (reason is not null)
        {
            Assert.Skip(reason);
        }

        await using var backend = await K3sBackend.StartAsync(TestContext.Current.CancellationToken);
        var crds = await backend.Client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(crds.Items, c => c.Metadata.Name == "canaries.flagger.app");
        Assert.Contains(crds.Items, c => c.Metadata.Name == "virtualservices.networking.istio.io");
        var deployments = await backend.Client.AppsV1.ListNamespacedDeploymentAsync("flagger-system", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(deployments.Items, d => d.Metadata.Name == "flagger-loadtester" && d.Status?.ReadyReplicas >= 1);
    }
}
