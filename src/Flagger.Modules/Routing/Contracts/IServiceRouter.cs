using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Routing.Contracts;

/// <summary>
/// Owns the Kubernetes Services of a canary (upstream: pkg/router/kubernetes.go): <c>&lt;svc&gt;-canary</c>
/// (selector <c>&lt;label&gt;: &lt;value&gt;</c>), <c>&lt;svc&gt;-primary</c> and the apex <c>&lt;svc&gt;</c> (both
/// <c>&lt;label&gt;: &lt;value&gt;-primary</c>). Every call is idempotent and writes nothing when the Services already match.
/// </summary>
/// <example>
/// <code>
/// var services = factory.ServiceRouter(canary);
/// await services.InitializeAsync(canary, target, ct);   // -canary and -primary, before the primary workload exists
/// // ... create the primary workload ...
/// await services.ReconcileAsync(canary, target, ct);    // apex, once the primary exists
/// </code>
/// </example>
public interface IServiceRouter
{
    /// <summary>Creates or updates <c>&lt;svc&gt;-canary</c> and <c>&lt;svc&gt;-primary</c>.</summary>
    /// <exception cref="RoutingException">The canary has no <c>spec.service.port</c>.</exception>
    Task InitializeAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken);

    /// <summary>Creates or updates the apex Service <c>&lt;svc&gt;</c>, taking over a user's pre-existing Service.</summary>
    /// <exception cref="RoutingException">The canary has no <c>spec.service.port</c>.</exception>
    Task ReconcileAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken);

    /// <summary>
    /// Reverts a taken-over apex Service (no Canary controller owner) so that it selects the target's pods again:
    /// selector from <c>kubectl.kubernetes.io/last-applied-configuration</c>, else the spec saved at takeover, else
    /// <c>&lt;label&gt;: &lt;value&gt;</c>. Services Flagger created are left to garbage collection.
    /// </summary>
    Task FinalizeAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken);
}
