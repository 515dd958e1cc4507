using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Providers;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Routing;

/// <summary>
/// The one provider switch of the module (upstream: pkg/router/factory.go): the <see cref="ProviderCatalog"/> row of the
/// provider (upstream's spellings included, e.g. <c>smi:v1alpha3:istio</c>, <c>gloo:&lt;namespace&gt;</c>) selects one of the
/// <see cref="TrafficRouterRegistration"/>s; every row has one. Unlike upstream, an unknown provider is an error naming
/// it, never a silent fallback to Istio.
/// </summary>
internal sealed class RoutingFactory(
    IEnumerable<TrafficRouterRegistration> registrations,
    KubernetesServiceRouter services,
    NoopServiceRouter noServices,
    IOptions<RoutingOptions> options) : IRoutingFactory
{
    private readonly Dictionary<string, ITrafficRouter> _routers = registrations.ToDictionary(r => r.Provider, r => r.Router, StringComparer.Ordinal);

    public string ProviderOf(Canary canary) =>
        canary.Spec.Provider is { Length: > 0 } provider ? provider : options.Value.MeshProvider;

    public ITrafficRouter TrafficRouter(Canary canary)
    {
        var provider = ProviderOf(canary);
        if (_routers.TryGetValue(ProviderCatalog.RouterName(provider), out var router))
        {
            return router;
        }

        throw new RoutingException(
            $"unknown provider \"{provider}\"; supported providers are {Supported()} (spec.provider of canary {RoutingConventions.Id(canary)}, or the global mesh provider)");
    }

    public IServiceRouter ServiceRouter(Canary canary) =>
        canary.Spec.TargetRef?.Kind == "Service" ? noServices : services;

    /// <summary>The catalog providers in catalog order, e.g. <c>apisix, appmesh, …, smi:v1alpha3 and traefik</c>.</summary>
    private string Supported()
    {
        var names = ProviderCatalog.Names.Where(_routers.ContainsKey).ToList();
        return names.Count <= 1 ? string.Join("", names) : $"{string.Join(", ", names[..^1])} and {names[^1]}";
    }
}
