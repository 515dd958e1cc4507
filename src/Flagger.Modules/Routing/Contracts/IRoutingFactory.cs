using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Routing.Contracts;

/// <summary>
/// Picks the routers of a canary (upstream: pkg/router/factory.go): the traffic router from <c>spec.provider</c>,
/// or the global mesh provider when it is empty; the Service router from <c>spec.targetRef.kind</c>.
/// </summary>
/// <example>
/// <code>
/// try { var router = factory.TrafficRouter(canary); }
/// catch (RoutingException e) { /* condition + Warning event: e.Message names the provider */ }
/// </code>
/// </example>
public interface IRoutingFactory
{
    /// <summary>
    /// <c>istio</c> → Istio; <c>kubernetes</c> or <c>none</c> → the no-op router of blue/green without a mesh (traffic
    /// moves only by Service selectors at promotion). Any other provider is not silently replaced by Istio.
    /// </summary>
    /// <exception cref="RoutingException">The provider is unknown.</exception>
    ITrafficRouter TrafficRouter(Canary canary);

    /// <summary>Service targets get a no-op router (their Services are the target's copies); workloads the Kubernetes one.</summary>
    IServiceRouter ServiceRouter(Canary canary);

    /// <summary>The effective provider name: <c>spec.provider</c>, or the global mesh provider when empty.</summary>
    string ProviderOf(Canary canary);
}
