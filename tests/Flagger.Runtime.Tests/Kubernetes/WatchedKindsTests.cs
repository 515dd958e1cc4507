using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Runtime.Tests.Kubernetes;

/// <summary>
/// The informers the operator starts with: the core kinds (Flagger's own, the workloads') and the kinds of the global
/// mesh provider. Every other provider's kinds start only when a canary uses it (see KumaRolloutTests).
/// </summary>
public sealed class WatchedKindsTests
{
    private static readonly string[] CoreKinds =
    [
        "alertproviders.flagger.app", "canaries.flagger.app", "configmaps", "daemonsets.apps", "deployments.apps",
        "horizontalpodautoscalers.autoscaling", "metrictemplates.flagger.app", "secrets", "services",
    ];

    private static async Task WithOperatorAsync(string[] flags, Action<IServiceProvider> check)
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
            var (app, exit) = FlaggerHost.Build([$"-kubeconfig={kubeconfig}", "-port=0", .. flags]);
            Assert.Equal(0, exit);
            Assert.NotNull(app);
            await using var _ = app;
            check(app.Services);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    private static List<string> Sorted(string[] kinds) => [.. kinds.Order(StringComparer.Ordinal)];

    private static List<string> BootKinds(IServiceProvider services) =>
        [.. services.GetRequiredService<KubeCache>().Informers.Select(i => i.Kind.ToString()).Order(StringComparer.Ordinal)];

    [Fact]
    public Task With_the_istio_mesh_provider_the_operator_boots_with_the_core_kinds_and_istios_each_once() =>
        WithOperatorAsync(["-mesh-provider=istio"], services =>
        {
            var kinds = BootKinds(services);

            Assert.Equal(Sorted([.. CoreKinds, "destinationrules.networking.istio.io", "virtualservices.networking.istio.io"]), kinds);

            // Every registered kind used to start at boot (31 informers with all the routers, Knative and KEDA); now 11 do.
            var registered = services.GetServices<WatchRegistration>().DistinctBy(r => r.ObjectType).Count();
            Assert.Equal(31, registered);
            Assert.Equal(11, kinds.Count);
        });

    [Fact]
    public Task The_default_mesh_provider_is_istio_and_its_kinds_start_at_boot() =>
        WithOperatorAsync([], services => Assert.Contains("virtualservices.networking.istio.io", BootKinds(services)));

    [Fact]
    public Task With_the_kuma_mesh_provider_the_operator_boots_with_the_core_kinds_and_kumas_only() =>
        WithOperatorAsync(["-mesh-provider=kuma"], services =>
            Assert.Equal(Sorted([.. CoreKinds, "trafficroutes.kuma.io"]), BootKinds(services)));

    [Fact]
    public Task With_the_kubernetes_mesh_provider_only_the_core_kinds_start_at_boot() =>
        WithOperatorAsync(["-mesh-provider=kubernetes"], services => Assert.Equal(CoreKinds, BootKinds(services)));
}
