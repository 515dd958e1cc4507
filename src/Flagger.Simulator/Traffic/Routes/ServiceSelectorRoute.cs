using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// The fallback when no provider object routes a Service: every request goes to the Service itself, i.e. to the
/// workloads its selector matches (how blue/green with the <c>kubernetes</c> provider switches traffic). Ask it last.
/// </summary>
// upstream: pkg/router/kubernetes_default.go switches the apex Service's selector.
internal sealed class ServiceSelectorRoute : IRouteTable
{
    public Route? Find(ClusterStore store, string ns, string service) =>
        new([new RouteRule([], [new WeightedDestination(service, 1)], null)]);
}
