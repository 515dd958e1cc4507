using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Routing.Contracts;

/// <summary>
/// A traffic-shifting provider (upstream: pkg/router/router.go Interface): it owns the routing objects of one canary
/// (Istio: DestinationRules and VirtualService). <see cref="ReconcileAsync"/> owns their shape and never changes the
/// live weights; <see cref="SetRoutesAsync"/> owns the weights. Calls are idempotent: nothing is written when the
/// objects already match.
/// </summary>
/// <example>
/// <code>
/// var router = factory.TrafficRouter(canary);               // RoutingException for an unsupported provider
/// await router.ReconcileAsync(canary, ct);
/// var live = await router.GetRoutesAsync(canary, ct);       // e.g. (90, 10, false)
/// await router.SetRoutesAsync(canary, new TrafficSplit(80, 20, false), cookies, ct);
/// </code>
/// </example>
public interface ITrafficRouter
{
    /// <summary>
    /// Creates or updates the routing objects from the canary spec, keeping the live weights, mirror and
    /// session-affinity rules (the persisted cookies of <c>canary.status</c> are re-rendered).
    /// </summary>
    /// <exception cref="RoutingException">The spec cannot be rendered (e.g. delegation together with hosts or gateways).</exception>
    Task ReconcileAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Routes <paramref name="split"/> (and mirrors when <see cref="TrafficSplit.Mirrored"/>). With
    /// <c>analysis.sessionAffinity</c>, <paramref name="cookies"/> must be the ones the state machine decided for this
    /// step (<see cref="SessionAffinityCookies.ForStep"/>); otherwise pass <see cref="SessionAffinityCookies.None"/>.
    /// </summary>
    /// <exception cref="RoutingException">The routing object does not exist yet, or a cookie needed for the split is missing.</exception>
    Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken);

    /// <summary>The live split read from the routing objects (from the cache, no API call).</summary>
    /// <exception cref="RoutingException">
    /// The routing object is missing or has no routes for <c>&lt;svc&gt;-primary</c> and <c>&lt;svc&gt;-canary</c>.
    /// </exception>
    Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>Reverts a user's routing object that was taken over to its original spec (revertOnDeletion).</summary>
    Task FinalizeAsync(Canary canary, CancellationToken cancellationToken);
}
