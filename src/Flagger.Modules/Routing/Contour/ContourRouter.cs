using System.Globalization;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Contour;

/// <summary>
/// Contour traffic shifting (upstream: pkg/router/contour.go): the HTTPProxy <c>&lt;svc&gt;</c>, without a virtual host
/// (a root HTTPProxy includes it), whose first route splits traffic between <c>&lt;svc&gt;-primary</c> and
/// <c>&lt;svc&gt;-canary</c>; with <c>analysis.match</c> a header-conditioned route comes first and the default route
/// stays on the primary. <c>-ingress-class</c> becomes <c>ingressClassName</c>. Reconcile keeps the live weights.
/// </summary>
internal sealed partial class ContourRouter(
    RoutingObjectStore store, RouterObjects objects, IOptions<RoutingOptions> options, ILogger<ContourRouter> logger) : ITrafficRouter
{
    /// <summary>Header Linkerd reads to route to the Service's authority when Contour runs in front of a Linkerd mesh.</summary>
    private const string LinkerdOverrideHeader = "l5d-dst-override";

    /// <summary>Idle timeout upstream sets together with <c>service.timeout</c>.</summary>
    private const string IdleTimeout = "5m";

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, _) = ServiceNames(canary);
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<HttpProxy>(ns, apex);
        var split = existing is null ? TrafficSplit.AllPrimary : ReadRoutes(existing, primary) ?? TrafficSplit.AllPrimary;
        var desired = Spec(canary, service, split);
        var labels = service.Apex?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(service.Apex.Labels);
        var target = new DesiredObject<HttpProxySpec>(ns, apex, desired, labels, WithFluxDisabled(service.Apex?.Annotations), RememberOriginal: true);
        switch (await objects.CreateOrUpdateAsync(canary, existing, target, cancellationToken).ConfigureAwait(false))
        {
            case WriteOutcome.Created:
                Log.Created(logger, apex, ns);
                break;
            case WriteOutcome.Updated:
                Log.Updated(logger, apex, ns);
                break;
        }
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (split.PrimaryWeight == 0 && split.CanaryWeight == 0)
        {
            throw new RoutingException($"HTTPProxy {apex}.{ns} update failed: no valid weights");
        }

        var existing = store.Get<HttpProxy>(ns, apex)
            ?? throw new RoutingException($"HTTPProxy {apex}.{ns} query error: not found (the routing must be reconciled before traffic is shifted)");
        var clone = Clone(existing);
        clone.Spec = Spec(canary, service, split);
        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, apex, ns, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var proxy = store.Get<HttpProxy>(ns, apex)
            ?? throw new RoutingException($"HTTPProxy {apex}.{ns} get query error: not found");
        return Task.FromResult(ReadRoutes(proxy, primary)
            ?? throw new RoutingException($"HTTPProxy {apex}.{ns} services not found"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // Upstream's Finalize is a no-op; we give a taken-over HTTPProxy its user spec back, as every router here does.
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (await objects.RestoreOriginalAsync<HttpProxy, HttpProxySpec>(ns, apex, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            Log.Reverted(logger, apex, ns);
        }
    }

    /// <summary>
    /// The live split from the first route (the A/B route when there is one): the primary's weight, the rest to the
    /// canary (upstream: GetRoutes). Null when the route has fewer than two services or none is the primary.
    /// </summary>
    private static TrafficSplit? ReadRoutes(HttpProxy proxy, string primary)
    {
        if (proxy.Spec.Routes is not [var first, ..] || first.Services is not { Count: >= 2 } services)
        {
            return null;
        }

        return services.FirstOrDefault(s => s.Name == primary) is { } p
            ? new TrafficSplit((int)(p.Weight ?? 0), 100 - (int)(p.Weight ?? 0), false)
            : null;
    }

    /// <summary>The whole spec for a split (upstream: Reconcile/SetRoutes build it the same way).</summary>
    private HttpProxySpec Spec(Canary canary, CanaryService service, TrafficSplit split)
    {
        var prefix = Prefix(service);
        var routes = new List<ContourRoute>();
        if (canary.Spec.Analysis?.Match is { Count: > 0 } match)
        {
            // A/B: matching requests are split, the rest stay on the primary.
            routes.Add(Route(canary, service, HeaderConditions(canary, match, prefix), split));
            routes.Add(Route(canary, service, [new ContourMatchCondition { Prefix = prefix }], TrafficSplit.AllPrimary));
        }
        else
        {
            routes.Add(Route(canary, service, [new ContourMatchCondition { Prefix = prefix }], split));
        }

        return new HttpProxySpec
        {
            Routes = routes,
            IngressClassName = string.IsNullOrEmpty(options.Value.IngressClass) ? null : options.Value.IngressClass,
        };
    }

    private static ContourRoute Route(Canary canary, CanaryService service, List<ContourMatchCondition> conditions, TrafficSplit split)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        return new ContourRoute
        {
            Conditions = conditions,
            TimeoutPolicy = string.IsNullOrEmpty(service.Timeout) ? null : new ContourTimeoutPolicy { Response = service.Timeout, Idle = IdleTimeout },
            RetryPolicy = service.Retries is { } retries
                ? new ContourRetryPolicy
                {
                    Count = retries.Attempts ?? 0,
                    PerTryTimeout = string.IsNullOrEmpty(retries.PerTryTimeout) ? null : retries.PerTryTimeout,
                    // Upstream splits an empty retryOn into [""], which Contour's enum rejects; we leave it out.
                    RetryOn = string.IsNullOrEmpty(retries.RetryOn) ? null : [.. retries.RetryOn.Split(',')],
                }
                : null,
            Services =
            [
                Upstream(canary, service, primary, split.PrimaryWeight),
                Upstream(canary, service, canaryName, split.CanaryWeight),
            ],
        };
    }

    private static ContourService Upstream(Canary canary, CanaryService service, string name, int weight) => new()
    {
        Name = name,
        Port = service.Port ?? 0,
        Weight = weight == 0 ? null : weight,
        RequestHeadersPolicy = new ContourHeadersPolicy
        {
            Set =
            [
                new ContourHeaderValue
                {
                    Name = LinkerdOverrideHeader,
                    Value = string.Create(CultureInfo.InvariantCulture, $"{name}.{canary.Metadata.NamespaceProperty}.svc.cluster.local:{service.Port}"),
                },
            ],
        },
    };

    /// <summary><c>service.match[0].uri.prefix</c>, or <c>/</c> (upstream: makePrefix).</summary>
    private static string Prefix(CanaryService service) =>
        service.Match is [{ Uri.Prefix: { Length: > 0 } prefix }, ..] ? prefix : "/";

    /// <summary>
    /// One condition per header of every match (Contour ANDs a route's conditions): exact stays exact, prefix and
    /// suffix become <c>contains</c> (upstream: makeConditions). Contour has no regex header condition.
    /// </summary>
    private static List<ContourMatchCondition> HeaderConditions(Canary canary, List<HttpMatchRequest> match, string prefix)
    {
        var conditions = new List<ContourMatchCondition>();
        foreach (var m in match)
        {
            foreach (var (name, value) in m.Headers ?? [])
            {
                var header = new ContourHeaderCondition { Name = name };
                if (!string.IsNullOrEmpty(value?.Prefix))
                {
                    header.Contains = value.Prefix;
                }
                else if (!string.IsNullOrEmpty(value?.Suffix))
                {
                    header.Contains = value.Suffix;
                }
                else if (!string.IsNullOrEmpty(value?.Exact))
                {
                    header.Exact = value.Exact;
                }
                else
                {
                    throw new RoutingException($"Canary {Id(canary)}: HTTPProxy header condition {name} needs exact, prefix or suffix " +
                        "(spec.analysis.match[].headers; Contour has no regex header match)");
                }

                conditions.Add(new ContourMatchCondition { Prefix = prefix, Header = header });
            }
        }

        return conditions.Count == 0 ? [new ContourMatchCondition { Prefix = prefix }] : conditions;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "HTTPProxy {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "HTTPProxy {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Debug, Message = "HTTPProxy {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "HTTPProxy {Name}.{Namespace} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string name, string @namespace);
    }
}
