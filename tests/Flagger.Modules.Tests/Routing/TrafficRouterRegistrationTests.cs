using Flagger.Modules.Routing;
using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Tests.Routing;

/// <summary>
/// The routers' kinds belong to their providers: an <c>AddTrafficRouter(…).AddWatch&lt;T&gt;()</c> chain registers each kind
/// for every provider of the chain (watched on demand); plain <c>AddWatch&lt;T&gt;()</c> kinds stay watched from the start.
/// </summary>
public sealed class TrafficRouterRegistrationTests
{
    private static Dictionary<string, string[]> ProvidersByKind()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddRoutingModule();
        return builder.Services
            .Where(d => d.ServiceType == typeof(WatchRegistration) && d.ImplementationInstance is WatchRegistration)
            .Select(d => (WatchRegistration)d.ImplementationInstance!)
            .GroupBy(r => r.Kind.ToString())
            .ToDictionary(g => g.Key, g => g.SelectMany(r => r.Providers).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void The_smi_chain_registers_each_traffic_split_version_for_all_five_smi_providers()
    {
        var kinds = ProvidersByKind();

        string[] smi = ["linkerd", "osm", "smi:v1alpha1", "smi:v1alpha2", "smi:v1alpha3"];
        Assert.Equal(smi, kinds["trafficsplits.split.smi-spec.io"]);
    }

    [Fact]
    public void Every_kind_a_router_declares_is_a_watch_of_its_providers_only()
    {
        var kinds = ProvidersByKind();

        Assert.Equal(["kuma"], kinds["trafficroutes.kuma.io"]);
        Assert.Equal(["istio"], kinds["virtualservices.networking.istio.io"]);
        Assert.Equal(["nginx", "skipper"], kinds["ingresses.networking.k8s.io"]);
        Assert.Equal(["gloo", "kubernetes", "none"], kinds["services"]);
        Assert.All(kinds, kind => Assert.NotEmpty(kind.Value));
    }

    [Fact]
    public void A_plain_add_watch_still_registers_a_kind_watched_from_the_start()
    {
        var services = new ServiceCollection().AddWatch<Flagger.Modules.Shared.Crd.Canary>();

        var registration = Assert.Single(services, d => d.ServiceType == typeof(WatchRegistration)).ImplementationInstance as WatchRegistration;

        Assert.NotNull(registration);
        Assert.Empty(registration.Providers);
    }

    [Fact]
    public void The_global_mesh_provider_is_registered_to_be_watched_at_boot_under_its_catalog_name()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddRoutingModule(o => o.MeshProvider = "gloo:gloo-system");
        using var host = builder.Build();

        Assert.Equal("gloo", Assert.Single(host.Services.GetServices<ProviderWatchedAtBoot>()).Provider);
    }
}
