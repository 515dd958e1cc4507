using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Providers;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Routing;

/// <summary>
/// The one provider switch of the module (upstream: pkg/router/factory.go). "Known?" is the <see cref="ProviderCatalog"/>,
/// "implemented?" is the set of <see cref="TrafficRouterRegistration"/>s. Unlike upstream, an unknown or not yet ported
/// provider is an error naming the provider, never a silent fallback to Istio.
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

        var where = $"; supported providers are {Supported()} (spec.provider of canary {RoutingConventions.Id(canary)}, or the global mesh provider)";
        throw new RoutingException(ProviderCatalog.IsKnown(provider) || IsUpstreamSpelling(provider)
            ? $"provider \"{provider}\" is not supported yet{where}"
            : $"unknown provider \"{provider}\"{where}");
    }

    public IServiceRouter ServiceRouter(Canary canary) =>
        canary.Spec.TargetRef?.Kind == "Service" ? noServices : services;

    /// <summary>
    /// Spellings upstream's factory matches by prefix that name no catalog row (<c>gatewayapi</c> without a version,
    /// <c>smi</c>, <c>smi:…</c>, <c>gloo:&lt;namespace&gt;</c>): known to upstream, so "not supported yet", not "unknown".
    /// </summary>
    // upstream: pkg/router/factory.go, MeshRouter (strings.HasPrefix cases)
    private static bool IsUpstreamSpelling(string provider) =>
        provider.Split(':') is ["gatewayapi" or "smi"] or ["smi" or "gloo", _, ..];

    /// <summary>The implemented catalog providers in catalog order, e.g. <c>istio and kubernetes</c>.</summary>
    private string Supported()
    {
        var names = ProviderCatalog.Names.Where(_routers.ContainsKey).ToList();
        return names.Count <= 1 ? string.Join("", names) : $"{string.Join(", ", names[..^1])} and {names[^1]}";
    }
}
