using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Apisix;

/// <summary>
/// APISIX traffic shifting (upstream: pkg/router/apisix.go): the ApisixRoute <c>&lt;routeRef&gt;-&lt;svc&gt;-canary</c>,
/// a copy of the <c>spec.routeRef</c> route reduced to the rule whose backend is <c>&lt;svc&gt;</c>, with priority 10000
/// (so it wins over the user's rule) and the backends <c>&lt;svc&gt;-primary</c> and <c>&lt;svc&gt;-canary</c>, whose
/// weights split the requests. The user's route is only read. Reconcile keeps the live weights; SetRoutes owns them.
/// </summary>
internal sealed partial class ApisixRouter(RoutingObjectStore store, RouterObjects objects, ILogger<ApisixRouter> logger)
    : ITrafficRouter
{
    /// <summary>The canary route's rule priority (upstream: maxPriority).</summary>
    public const int CanaryRulePriority = 10000;

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var routeRef = RouteRef(canary);
        var source = store.Get<ApisixRoute>(ns, routeRef)
            ?? throw new RoutingException($"APISIX route {routeRef}.{ns} get query error: not found");
        if (source.Spec.Http is not { Count: > 0 })
        {
            throw new RoutingException($"APISIX route {routeRef}.{ns}'s spec.http is empty");
        }

        var rule = RuleWithBackend(source, apex)
            ?? throw new RoutingException($"Can not find {apex} backend on apisix route {routeRef}.{ns}");
        if (rule.Backends!.Count != 1)
        {
            throw new RoutingException($"APISIX route {routeRef}.{ns}'s http route {rule.Name} only one http backend is supported");
        }

        var name = CanaryRouteName(canary);
        var existing = store.Get<ApisixRoute>(ns, name);
        var live = existing is null ? null : RuleWithBackend(existing, primary)?.Backends;
        var primaryWeight = live?.FirstOrDefault(b => b.ServiceName == primary)?.Weight ?? 100;
        var canaryWeight = live?.FirstOrDefault(b => b.ServiceName == canaryName)?.Weight ?? 0;

        // The user's rule, with priority 10000 and the backends primary (its fields kept) and canary.
        var canaryRule = Clone(rule);
        canaryRule.Priority = CanaryRulePriority;
        var primaryBackend = canaryRule.Backends![0];
        primaryBackend.ServiceName = primary;
        primaryBackend.Weight = primaryWeight;
        canaryRule.Backends.Add(new ApisixRouteBackend
        {
            ServiceName = canaryName,
            ServicePort = primaryBackend.ServicePort,
            ResolveGranularity = primaryBackend.ResolveGranularity,
            Subset = primaryBackend.Subset,
            Weight = canaryWeight,
        });
        var spec = Clone(source.Spec);
        spec.Http = [canaryRule];

        // upstream copies the route's labels and annotations; the ones naming the user's own configuration stay behind.
        var annotations = source.Metadata.Annotations?
            .Where(a => a.Key != KubectlAnnotation && a.Key != OriginalConfigurationAnnotation)
            .ToDictionary(a => a.Key, a => a.Value) ?? [];
        var labels = source.Metadata.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(source.Metadata.Labels);
        var target = new DesiredObject<ApisixRouteSpec>(ns, name, spec, labels, annotations, RememberOriginal: true);
        var outcome = await objects.CreateOrUpdateAsync(canary, existing, target, cancellationToken).ConfigureAwait(false);
        if (outcome == WriteOutcome.Created)
        {
            Log.Created(logger, name, ns);
        }
        else if (outcome == WriteOutcome.Updated)
        {
            Log.Updated(logger, name, ns);
        }
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (split.PrimaryWeight == 0 && split.CanaryWeight == 0)
        {
            // upstream's text
            throw new RoutingException($"RoutingRule {apex}.{ns} update failed: no valid weights");
        }

        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"Canary {Id(canary)}: weights must be between 0 and 100 (primary {split.PrimaryWeight}, canary {split.CanaryWeight})");
        }

        var name = CanaryRouteName(canary);
        var existing = store.Get<ApisixRoute>(ns, name)
            ?? throw new RoutingException($"apisix route {name}.{ns} query error: not found (the routing must be reconciled before traffic is shifted)");
        var clone = Clone(existing);
        var backends = RuleWithBackend(clone, primary)?.Backends
            ?? throw new RoutingException($"Can not find {primary} backend on apisix route {name}.{ns}");
        foreach (var backend in backends)
        {
            if (backend.ServiceName == primary)
            {
                backend.Weight = split.PrimaryWeight;
            }
            else if (backend.ServiceName == canaryName)
            {
                backend.Weight = split.CanaryWeight;
            }
        }

        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, name, ns, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (_, primary, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var name = CanaryRouteName(canary);
        var existing = store.Get<ApisixRoute>(ns, name)
            ?? throw new RoutingException($"apisix route {name}.{ns} query error: not found");
        var backend = RuleWithBackend(existing, primary)?.Backends?.FirstOrDefault(b => b.ServiceName == primary)
            ?? throw new RoutingException($"Can not find {primary} backend on apisix route {name}.{ns}");
        var weight = backend.Weight
            ?? throw new RoutingException($"apisix route {name}.{ns}: backend {primary} has no weight");
        return Task.FromResult(new TrafficSplit(weight, 100 - weight, false));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // upstream: Finalize is a no-op (the owned canary route is garbage collected); an adopted one gets its spec back.
        var ns = canary.Metadata.NamespaceProperty;
        var name = CanaryRouteName(canary);
        if (await objects.RestoreOriginalAsync<ApisixRoute, ApisixRouteSpec>(ns, name, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            Log.Reverted(logger, name, ns);
        }
    }

    /// <summary><c>&lt;routeRef&gt;-&lt;svc&gt;-canary</c>.</summary>
    public static string CanaryRouteName(Canary canary) => $"{RouteRef(canary)}-{ServiceNames(canary).Apex}-canary";

    private static string RouteRef(Canary canary) =>
        canary.Spec.RouteRef?.Name is { Length: > 0 } name
            ? name
            : throw new RoutingException($"Canary {Id(canary)}: spec.routeRef is required by the apisix provider (apisix route selector is empty)");

    /// <summary>The first <c>http</c> rule with a backend named <paramref name="service"/> (upstream: getTargetHttpRoute).</summary>
    private static ApisixRouteHttp? RuleWithBackend(ApisixRoute route, string service) =>
        route.Spec.Http?.FirstOrDefault(r => r.Backends?.Any(b => b.ServiceName == service) == true);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "APISIX route {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "APISIX route {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Debug, Message = "APISIX route {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "APISIX route {Name}.{Namespace} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string name, string @namespace);
    }
}
