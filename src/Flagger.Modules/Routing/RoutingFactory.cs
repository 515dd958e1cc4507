using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Shared.Crd;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Routing;

/// <summary>
/// The one provider switch of the module (upstream: pkg/router/factory.go). Unlike upstream, an unknown or not yet
/// ported provider is an error naming the provider, never a silent fallback to Istio.
/// </summary>
internal sealed class RoutingFactory(
    IstioRouter istio,
    KubernetesNopRouter nop,
    KubernetesServiceRouter services,
    NoopServiceRouter noServices,
    IOptions<RoutingOptions> options) : IRoutingFactory
{
    /// <summary>Provider names upstream Flagger v1.44 accepts that this port does not route yet.</summary>
    private static readonly string[] NotYetSupported =
    [
        "apisix", "appmesh", "appmesh:v1beta2", "contour", "gatewayapi", "gatewayapi:v1", "gatewayapi:v1beta1", "gloo",
        "knative", "kuma", "linkerd", "nginx", "osm", "skipper", "smi", "traefik",
    ];

    public string ProviderOf(Canary canary) =>
        canary.Spec.Provider is { Length: > 0 } provider ? provider : options.Value.MeshProvider;

    public ITrafficRouter TrafficRouter(Canary canary) => ProviderOf(canary) switch
    {
        "istio" => istio,
        "kubernetes" or "none" => nop,
        var provider when NotYetSupported.Contains(provider) || provider.StartsWith("smi:", StringComparison.Ordinal)
            || provider.StartsWith("gloo:", StringComparison.Ordinal) => throw new RoutingException(
                $"provider \"{provider}\" is not supported yet; supported providers are istio and kubernetes " +
                $"(spec.provider of canary {RoutingConventions.Id(canary)}, or the global mesh provider)"),
        var provider => throw new RoutingException(
            $"unknown provider \"{provider}\"; supported providers are istio and kubernetes " +
            $"(spec.provider of canary {RoutingConventions.Id(canary)}, or the global mesh provider)"),
    };

    public IServiceRouter ServiceRouter(Canary canary) =>
        canary.Spec.TargetRef?.Kind == "Service" ? noServices : services;
}
