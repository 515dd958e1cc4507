using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Istio;

/// <summary>
/// Istio traffic shifting (upstream: pkg/router/istio.go): DestinationRules <c>&lt;svc&gt;-primary</c> and
/// <c>&lt;svc&gt;-canary</c> carrying <c>service.trafficPolicy</c>, and the VirtualService <c>&lt;svc&gt;</c> whose
/// HTTP (or TCP) routes split traffic between them. Reconcile owns the shape and keeps the live weights; SetRoutes owns
/// the weights, mirroring and session-affinity rules. Objects are read from the cache and written only when they differ.
/// </summary>
internal sealed partial class IstioRouter(RoutingObjectStore store, RouterObjects objects, ILogger<IstioRouter> logger)
    : ITrafficRouter
{
    private const string CookieHeader = "Cookie";
    private const string SetCookieHeader = "Set-Cookie";

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        await ReconcileDestinationRuleAsync(canary, service, canaryName, cancellationToken).ConfigureAwait(false);
        await ReconcileDestinationRuleAsync(canary, service, primary, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualServiceAsync(canary, service, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cookies);
        var (apex, _, _) = ServiceNames(canary);
        var service = RequireService(canary);
        ValidateSplit(canary, split);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<VirtualService>(ns, apex)
            ?? throw new RoutingException($"VirtualService {apex}.{ns} not found: the routing must be reconciled before traffic is shifted");

        var clone = Clone(existing);
        if (IsTcp(service))
        {
            clone.Spec.Tcp = TcpRoutes(canary, service, split);
        }
        else
        {
            clone.Spec.Http = HttpRoutes(canary, service, split, cookies, strict: true);
        }

        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, apex, ns, split.PrimaryWeight, split.CanaryWeight, split.Mirrored);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var vs = store.Get<VirtualService>(ns, apex)
            ?? throw new RoutingException($"VirtualService {apex}.{ns} get query error: not found");
        return Task.FromResult(ReadRoutes(canary, service, vs, primary, canaryName)
            ?? throw new RoutingException($"VirtualService {apex}.{ns} does not contain routes for {primary} and {canaryName}"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // upstream: pkg/router/istio.go Finalize, kubectl's last-applied spec first, then the saved original
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        switch (await objects.RestoreOriginalAsync<VirtualService, VirtualServiceSpec>(ns, apex, cancellationToken).ConfigureAwait(false))
        {
            case WriteOutcome.NoOriginal:
                Log.NoOriginalConfiguration(logger, apex, ns);
                break;
            case WriteOutcome.Updated:
                Log.VirtualServiceReverted(logger, apex, ns);
                break;
        }
    }

    private async Task ReconcileDestinationRuleAsync(Canary canary, CanaryService service, string name, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var desired = new DestinationRuleSpec { Host = name, TrafficPolicy = service.TrafficPolicy is null ? null : Clone(service.TrafficPolicy) };
        var existing = store.Get<DestinationRule>(ns, name);
        var outcome = await objects.CreateOrUpdateAsync(canary, existing, new DesiredObject<DestinationRuleSpec>(ns, name, desired), cancellationToken)
            .ConfigureAwait(false);
        LogWrite(outcome, DestinationRule.KubeKind, name, ns);
    }

    private async Task ReconcileVirtualServiceAsync(Canary canary, CanaryService service, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var delegation = service.Delegation == true;
        if (delegation && (service.Hosts is { Count: > 0 } || service.Gateways is { Count: > 0 }))
        {
            throw new RoutingException($"VirtualService {apex}.{ns} cannot have hosts and gateways when delegation enabled: " +
                "remove spec.service.hosts and spec.service.gateways or set spec.service.delegation to false");
        }

        // hosts: service.hosts plus the apex name unless present or "*"; gateways: service.gateways or the mesh gateway
        var hosts = new List<string>(service.Hosts ?? []);
        if (!hosts.Any(h => h == apex || h == "*"))
        {
            hosts.Add(apex);
        }

        var gateways = new List<string>(CanaryDefaults.GetGateways(service));
        if (delegation)
        {
            hosts = [];
            gateways = [];
        }

        var existing = store.Get<VirtualService>(ns, apex);
        var live = existing is null ? null : ReadRoutes(canary, service, existing, primary, canaryName);
        var split = live ?? TrafficSplit.AllPrimary;
        var desired = new VirtualServiceSpec
        {
            Hosts = hosts,
            Gateways = gateways.Count == 0 ? null : gateways,
            Extensions = existing?.Spec.Extensions,
        };
        if (IsTcp(service))
        {
            desired.Tcp = TcpRoutes(canary, service, split);
        }
        else
        {
            desired.Http = HttpRoutes(canary, service, split, SessionAffinityCookies.FromStatus(canary.Status), strict: false);
        }

        var labels = service.Apex?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(service.Apex.Labels);
        var affinity = canary.Spec.Analysis?.SessionAffinity;
        var target = new DesiredObject<VirtualServiceSpec>(ns, apex, desired, labels, WithFluxDisabled(service.Apex?.Annotations),
            RememberOriginal: true,
            SameSpec: (left, right) => SemanticEquals(
                WithoutLiveState(ToNode(left), affinity, delegation), WithoutLiveState(ToNode(right), affinity, delegation)));
        var outcome = await objects.CreateOrUpdateAsync(canary, existing, target, cancellationToken).ConfigureAwait(false);
        LogWrite(outcome, VirtualService.KubeKind, apex, ns);
    }

    private void LogWrite(WriteOutcome outcome, string kind, string name, string ns)
    {
        if (outcome == WriteOutcome.Created)
        {
            Log.Created(logger, kind, name, ns);
        }
        else if (outcome == WriteOutcome.Updated)
        {
            Log.Updated(logger, kind, name, ns);
        }
    }

    /// <summary>The HTTP routes for a split (upstream: SetRoutes, getSessionAffinityRouteRules, mergeMatchConditions).</summary>
    private static List<IstioHttpRoute> HttpRoutes(Canary canary, CanaryService service, TrafficSplit split, SessionAffinityCookies cookies, bool strict)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        var analysis = canary.Spec.Analysis;
        var weighted = BaseRoute(service);
        weighted.Route = [Destination(service, primary, split.PrimaryWeight), Destination(service, canaryName, split.CanaryWeight)];
        var http = new List<IstioHttpRoute> { weighted };

        if (analysis?.SessionAffinity is { CookieName.Length: > 0 } affinity)
        {
            http = SessionAffinityRoutes(canary, service, affinity, split, cookies, weighted, strict);
        }

        if (split.Mirrored)
        {
            http[0].Mirror = new IstioDestination { Host = canaryName };
            if (analysis?.MirrorWeight is > 0 and var mirrorWeight)
            {
                http[0].MirrorPercentage = new IstioPercent { Value = mirrorWeight };
            }
        }

        // A/B: matching requests are split, the rest go to the primary only (quirk: that route keeps the primary weight).
        if (analysis?.Match is { Count: > 0 } abMatch)
        {
            var abRoute = BaseRoute(service);
            abRoute.Match = MergeMatches(abMatch, service.Match);
            abRoute.Route = [Destination(service, primary, split.PrimaryWeight), Destination(service, canaryName, split.CanaryWeight)];
            var fallback = BaseRoute(service);
            fallback.Route = [Destination(service, primary, split.PrimaryWeight)];
            http = [abRoute, fallback];
        }

        return http;
    }

    private static List<IstioHttpRoute> SessionAffinityRoutes(
        Canary canary, CanaryService service, SessionAffinity affinity, TrafficSplit split, SessionAffinityCookies cookies,
        IstioHttpRoute weighted, bool strict)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        if (split.CanaryWeight > 0)
        {
            if (cookies.Current is null || (!string.IsNullOrEmpty(affinity.PrimaryCookieName) && cookies.Primary is null))
            {
                if (!strict)
                {
                    return [weighted];
                }

                throw new RoutingException($"Canary {Id(canary)}: session affinity needs the canary cookie (and the primary cookie when " +
                    "primaryCookieName is set) for a canary weight above 0; decide them with SessionAffinityCookies.ForStep");
            }

            // Requests that hit the canary by weight get its cookie; requests carrying it stick to the canary.
            var maxAge = CanaryDefaults.GetSessionAffinityMaxAge(affinity);
            weighted.Route![1].Headers = SetCookie(BuildCookie(affinity, cookies.Current, maxAge));
            var stickyCanary = BaseRoute(service);
            stickyCanary.Match = MergeMatches([CookieMatch(cookies.Current)], service.Match);
            stickyCanary.Route = [Destination(service, primary, 0), Destination(service, canaryName, 100)];
            if (string.IsNullOrEmpty(affinity.PrimaryCookieName))
            {
                return [stickyCanary, weighted];
            }

            if (!GoDuration.TryParse(canary.Spec.Analysis?.Interval, out var interval))
            {
                throw new RoutingException($"Canary {Id(canary)}: failed to parse canary interval '{canary.Spec.Analysis?.Interval}' " +
                    "(spec.analysis.interval, e.g. 1m or 30s) needed for the primary session cookie");
            }

            weighted.Route[0].Headers = SetCookie(BuildCookie(affinity, cookies.Primary!, (int)interval.TotalSeconds));
            var stickyPrimary = BaseRoute(service);
            stickyPrimary.Match = MergeMatches([CookieMatch(cookies.Primary!)], service.Match);
            stickyPrimary.Route = [Destination(service, primary, 100), Destination(service, canaryName, 0)];
            return [stickyCanary, stickyPrimary, weighted];
        }

        // No canary traffic: requests still carrying the previous run's cookie get it expired, then route by weight.
        // (Upstream emits the weighted route twice when there is no previous cookie; one is enough.)
        var previous = cookies.Current ?? cookies.Previous;
        if (previous is null)
        {
            return [weighted];
        }

        var expiring = BaseRoute(service);
        expiring.Match = MergeMatches([CookieMatch(previous)], service.Match);
        expiring.Route = [Destination(service, primary, split.PrimaryWeight), Destination(service, canaryName, split.CanaryWeight)];
        expiring.Headers = service.Headers is null ? new HeaderOperations() : Clone(service.Headers);
        expiring.Headers.Response ??= new HeaderOperation();
        expiring.Headers.Response.Add ??= new Dictionary<string, string>();
        expiring.Headers.Response.Add[SetCookieHeader] = $"{previous}; Max-Age=-1";
        return [expiring, weighted];
    }

    private static List<IstioTcpRoute> TcpRoutes(Canary canary, CanaryService service, TrafficSplit split)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        return
        [
            new IstioTcpRoute
            {
                Match = service.Match?.Select(m => new IstioL4Match { Port = m.Port is > 0 ? m.Port : null }).ToList(),
                Route = [Destination(service, primary, split.PrimaryWeight), Destination(service, canaryName, split.CanaryWeight)],
            },
        ];
    }

    /// <summary>The live split, or null when the VirtualService has no weight for primary or canary.</summary>
    private static TrafficSplit? ReadRoutes(Canary canary, CanaryService service, VirtualService vs, string primary, string canaryName)
    {
        int primaryWeight = 0, canaryWeight = 0;
        var mirrored = false;
        if (IsTcp(service))
        {
            // upstream: the last TCP route that has a canary destination
            var tcp = vs.Spec.Tcp?.LastOrDefault(r => r.Route?.Any(d => d.Destination.Host == canaryName) == true);
            foreach (var destination in tcp?.Route ?? [])
            {
                Weigh(destination);
            }
        }
        else
        {
            var http = vs.Spec.Http?.LastOrDefault(r => r.Route?.Any(d => d.Destination.Host == canaryName) == true);
            foreach (var destination in http?.Route ?? [])
            {
                Weigh(destination);
            }

            mirrored = !string.IsNullOrEmpty(http?.Mirror?.Host);
            if (canary.Spec.Analysis?.SessionAffinity is not null)
            {
                // With session affinity the weighted route is the one whose destinations set cookies.
                foreach (var destination in (vs.Spec.Http ?? []).SelectMany(r => r.Route ?? []).Where(d => d.Headers is not null))
                {
                    Weigh(destination);
                }
            }
        }

        return primaryWeight == 0 && canaryWeight == 0 ? null : new TrafficSplit(primaryWeight, canaryWeight, mirrored);

        void Weigh(IstioRouteDestination destination)
        {
            if (destination.Destination.Host == primary)
            {
                primaryWeight = destination.Weight ?? 0;
            }

            if (destination.Destination.Host == canaryName)
            {
                canaryWeight = destination.Weight ?? 0;
            }
        }
    }

    /// <summary>The spec without what SetRoutes owns: weights, mirror and, with session affinity, cookie rules and destination headers.</summary>
    private static JsonNode? WithoutLiveState(JsonNode? spec, SessionAffinity? affinity, bool delegation)
    {
        if (spec is not JsonObject obj)
        {
            return spec;
        }

        if (delegation)
        {
            obj.Remove("hosts");
            obj.Remove("gateways");
        }

        if (obj["http"] is JsonArray http)
        {
            foreach (var route in http.OfType<JsonObject>().ToList())
            {
                if (affinity is not null && IsCookieRoute(route, affinity))
                {
                    http.Remove(route);
                    continue;
                }

                route.Remove("mirror");
                route.Remove("mirrorPercentage");
                StripDestinations(route, affinity is not null);
            }
        }

        foreach (var route in (obj["tcp"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            StripDestinations(route, stripHeaders: false);
        }

        return obj;

        static void StripDestinations(JsonObject route, bool stripHeaders)
        {
            foreach (var destination in (route["route"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                destination.Remove("weight");
                if (stripHeaders)
                {
                    destination.Remove("headers");
                }
            }
        }

        static bool IsCookieRoute(JsonObject route, SessionAffinity affinity) =>
            (route["match"] as JsonArray)?.OfType<JsonObject>().Any(m =>
                m["headers"]?[CookieHeader]?["regex"]?.GetValue<string>() is { } regex
                && ((!string.IsNullOrEmpty(affinity.CookieName) && regex.Contains(affinity.CookieName, StringComparison.Ordinal))
                    || (!string.IsNullOrEmpty(affinity.PrimaryCookieName) && regex.Contains(affinity.PrimaryCookieName, StringComparison.Ordinal)))) == true;
    }

    /// <summary>The route fields every rule shares. They reference the canary spec: rules never mutate them.</summary>
    private static IstioHttpRoute BaseRoute(CanaryService service) => new()
    {
        Match = service.Match,
        Rewrite = service.Rewrite is null ? null : new IstioHttpRewrite { Uri = service.Rewrite.Uri, Authority = service.Rewrite.Authority },
        Timeout = string.IsNullOrEmpty(service.Timeout) ? null : service.Timeout,
        Retries = service.Retries,
        CorsPolicy = service.CorsPolicy,
        Headers = service.Headers,
    };

    /// <summary>A weighted destination; with portDiscovery and an ingress gateway (or delegation) it names the port.</summary>
    private static IstioRouteDestination Destination(CanaryService service, string host, int weight)
    {
        var explicitPort = service.PortDiscovery == true
            && (CanaryDefaults.GetGateways(service)[0] != CanaryDefaults.MeshGateway || service.Delegation == true);
        return new IstioRouteDestination
        {
            Destination = new IstioDestination { Host = host, Port = explicitPort ? new IstioPortSelector { Number = service.Port } : null },
            Weight = weight,
        };
    }

    /// <summary>Canary matches × service matches; each a copy of the service match with the canary's headers and sourceLabels.</summary>
    private static List<HttpMatchRequest> MergeMatches(List<HttpMatchRequest> canaryMatches, List<HttpMatchRequest>? defaults)
    {
        if (defaults is not { Count: > 0 })
        {
            return Clone(canaryMatches);
        }

        var merged = new List<HttpMatchRequest>(canaryMatches.Count * defaults.Count);
        foreach (var c in canaryMatches)
        {
            foreach (var d in defaults)
            {
                var copy = Clone(d);
                if (c.Headers is not null)
                {
                    copy.Headers = Clone(c.Headers);
                }

                if (c.SourceLabels is not null)
                {
                    copy.SourceLabels = new Dictionary<string, string>(c.SourceLabels);
                }

                merged.Add(copy);
            }
        }

        return merged;
    }

    private static HttpMatchRequest CookieMatch(string cookie)
    {
        var parts = cookie.Split('=', 2);
        return new HttpMatchRequest
        {
            Headers = new Dictionary<string, StringMatch>
            {
                [CookieHeader] = new() { Regex = $".*{parts[0]}.*{(parts.Length > 1 ? parts[1] : "")}.*" },
            },
        };
    }

    private static HeaderOperations SetCookie(string value) =>
        new() { Response = new HeaderOperation { Add = new Dictionary<string, string> { [SetCookieHeader] = value } } };

    /// <summary><c>&lt;cookie&gt;; Max-Age=n[; Domain=d][; HttpOnly][; Partitioned][; Path=p][; SameSite=s][; Secure]</c> (upstream: BuildCookie).</summary>
    private static string BuildCookie(SessionAffinity affinity, string cookie, int maxAge)
    {
        var value = string.Create(CultureInfo.InvariantCulture, $"{cookie}; Max-Age={maxAge}");
        if (!string.IsNullOrEmpty(affinity.Domain))
        {
            value += $"; Domain={affinity.Domain}";
        }

        if (affinity.HttpOnly == true)
        {
            value += "; HttpOnly";
        }

        if (affinity.Partitioned == true)
        {
            value += "; Partitioned";
        }

        if (!string.IsNullOrEmpty(affinity.Path))
        {
            value += $"; Path={affinity.Path}";
        }

        if (!string.IsNullOrEmpty(affinity.SameSite))
        {
            value += $"; SameSite={affinity.SameSite}";
        }

        if (affinity.Secure == true)
        {
            value += "; Secure";
        }

        return value;
    }

    private static bool IsTcp(CanaryService service) => string.Equals(service.AppProtocol, "tcp", StringComparison.OrdinalIgnoreCase);

    private static void ValidateSplit(Canary canary, TrafficSplit split)
    {
        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"Canary {Id(canary)}: weights must be between 0 and 100 " +
                $"(primary {split.PrimaryWeight}, canary {split.CanaryWeight})");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string kind, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string kind, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Debug, Message = "VirtualService {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}, mirrored {Mirrored}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight, bool mirrored);

        [LoggerMessage(Level = LogLevel.Warning, Message = "VirtualService {Name}.{Namespace} original configuration not found, unable to revert")]
        public static partial void NoOriginalConfiguration(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "VirtualService {Name}.{Namespace} reverted to its original configuration")]
        public static partial void VirtualServiceReverted(ILogger logger, string name, string @namespace);
    }
}
