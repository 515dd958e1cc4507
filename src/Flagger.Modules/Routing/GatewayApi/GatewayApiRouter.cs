using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.GatewayApi;

/// <summary>Provider <c>gatewayapi:v1</c>: HTTPRoute <c>gateway.networking.k8s.io/v1</c> (upstream: pkg/router/gateway_api.go).</summary>
internal sealed class GatewayApiRouter(RoutingObjectStore store, RouterObjects objects, ILogger<GatewayApiRouter> logger)
    : GatewayApiRouterBase<HttpRoute>(store, objects, logger, GatewayApiDialect.V1);

/// <summary>
/// Provider <c>gatewayapi:v1beta1</c>: HTTPRoute <c>gateway.networking.k8s.io/v1beta1</c> (upstream:
/// pkg/router/gateway_api_v1beta1.go): no CORS filter, no timeouts, no primary session cookie, and GetRoutes does not
/// wait for the parents to accept the route.
/// </summary>
internal sealed class GatewayApiV1Beta1Router(RoutingObjectStore store, RouterObjects objects, ILogger<GatewayApiV1Beta1Router> logger)
    : GatewayApiRouterBase<HttpRouteV1Beta1>(store, objects, logger, GatewayApiDialect.V1Beta1);

/// <summary>What one Gateway API version of the router renders and checks.</summary>
/// <param name="Cors"><c>service.corsPolicy</c> becomes a CORS filter.</param>
/// <param name="Timeouts"><c>service.timeout</c>/<c>backendTimeout</c> become <c>rules[].timeouts</c>.</param>
/// <param name="PrimaryCookie"><c>sessionAffinity.primaryCookieName</c> gets a sticky primary rule.</param>
/// <param name="AcceptanceCheck">GetRoutes fails while a parent has not accepted the route's current generation.</param>
internal sealed record GatewayApiDialect(bool Cors, bool Timeouts, bool PrimaryCookie, bool AcceptanceCheck)
{
    public static GatewayApiDialect V1 { get; } = new(Cors: true, Timeouts: true, PrimaryCookie: true, AcceptanceCheck: true);

    public static GatewayApiDialect V1Beta1 { get; } = new(Cors: false, Timeouts: false, PrimaryCookie: false, AcceptanceCheck: false);
}

/// <summary>
/// Gateway API traffic shifting: the HTTPRoute <c>&lt;svc&gt;</c> attached to <c>service.gatewayRefs</c> (Gateways, or
/// the Service itself for GAMMA meshes) whose first rule splits requests between the Services
/// <c>&lt;svc&gt;-primary</c> and <c>&lt;svc&gt;-canary</c> by <c>backendRefs[].weight</c>. Reconcile owns the shape
/// and keeps the live weights, mirror and cookie rules; SetRoutes owns them. Objects are read from the cache and
/// written only when they differ.
/// </summary>
internal abstract class GatewayApiRouterBase<TRoute>(RoutingObjectStore store, RouterObjects objects, ILogger logger, GatewayApiDialect dialect)
    : ITrafficRouter
    where TRoute : Kit.CustomObject<HttpRouteSpec, HttpRouteStatus>, new()
{
    private const string CookieHeader = "Cookie";
    private const string SetCookieHeader = "Set-Cookie";
    private const string DefaultParentGroup = GatewayApiGroup.Group;
    private const string DefaultParentKind = "Gateway";
    private const string ServiceKind = "Service";
    private const string PathPrefix = "PathPrefix";
    private const string Exact = "Exact";
    private const string RegularExpression = "RegularExpression";
    private const string RequestHeaderModifier = "RequestHeaderModifier";
    private const string ResponseHeaderModifier = "ResponseHeaderModifier";
    private const string RequestMirror = "RequestMirror";

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        RequireGatewayRefs(service);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<TRoute>(ns, apex);

        // The live split, mirror and cookie rules are SetRoutes' to change: render them as they are.
        var live = existing is null ? null : ReadRoutes(canary, existing.Spec, primary, canaryName);
        var desired = RouteSpec(canary, service, live ?? TrafficSplit.AllPrimary, SessionAffinityCookies.FromStatus(canary.Status), strict: false);
        desired.Extensions = existing?.Spec.Extensions;

        // upstream: annotations other controllers added to the route are kept (e.g. AWS Gateway API controller).
        var annotations = WithFluxDisabled(service.Apex?.Annotations);
        foreach (var (key, value) in existing?.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            annotations.TryAdd(key, value);
        }

        var labels = service.Apex?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(service.Apex.Labels);
        var target = new DesiredObject<HttpRouteSpec>(ns, apex, desired, labels, annotations,
            RememberOriginal: true,
            SameSpec: (left, right) => SemanticEquals(WithoutLiveState(canary, left), WithoutLiveState(canary, right)));
        var outcome = await objects.CreateOrUpdateAsync(canary, existing, target, cancellationToken).ConfigureAwait(false);
        if (outcome == WriteOutcome.Created)
        {
            GatewayApiLog.Created(logger, apex, ns);
        }
        else if (outcome == WriteOutcome.Updated)
        {
            GatewayApiLog.Updated(logger, apex, ns);
        }
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cookies);
        var (apex, _, _) = ServiceNames(canary);
        var service = RequireService(canary);
        RequireGatewayRefs(service);
        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"Canary {Id(canary)}: weights must be between 0 and 100 " +
                $"(primary {split.PrimaryWeight}, canary {split.CanaryWeight})");
        }

        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<TRoute>(ns, apex)
            ?? throw new RoutingException($"HTTPRoute {apex}.{ns} not found: the routing must be reconciled before traffic is shifted");

        var clone = Clone(existing);
        clone.Spec = RouteSpec(canary, service, split, cookies, strict: true);
        clone.Spec.Extensions = existing.Spec.Extensions;
        if (SemanticEquals(WithDefaults(ToNode(clone.Spec)), WithDefaults(ToNode(existing.Spec))))
        {
            return;
        }

        await store.ReplaceAsync(clone, cancellationToken).ConfigureAwait(false);
        GatewayApiLog.RoutesSet(logger, apex, ns, split.PrimaryWeight, split.CanaryWeight, split.Mirrored);
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var route = store.Get<TRoute>(ns, apex)
            ?? throw new RoutingException($"HTTPRoute {apex}.{ns} get error: not found");
        if (dialect.AcceptanceCheck)
        {
            RequireAccepted(route, apex, ns);
        }

        return Task.FromResult(ReadRoutes(canary, route.Spec, primary, canaryName)
            ?? throw new RoutingException($"HTTPRoute {apex}.{ns} does not contain routes for {primary} and {canaryName}"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // Upstream's Finalize is a no-op; like the other routers we give a taken-over route its original spec back
        // (kubectl's last-applied first). A route Flagger created carries neither annotation and is left alone.
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (await objects.RestoreOriginalAsync<TRoute, HttpRouteSpec>(ns, apex, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            GatewayApiLog.Reverted(logger, apex, ns);
        }
    }

    private static void RequireGatewayRefs(CanaryService service)
    {
        if (service.GatewayRefs is not { Count: > 0 })
        {
            throw new RoutingException("GatewayRefs must be specified when using Gateway API as a provider.");
        }
    }

    /// <summary>
    /// upstream: GetRoutes refuses to report weights while a parent's <c>Accepted</c> condition is not True or is older
    /// than the route's generation (the gateway has not programmed the last write yet).
    /// </summary>
    private static void RequireAccepted(TRoute route, string apex, string ns)
    {
        var generation = route.Metadata.Generation ?? 0;
        foreach (var parentRef in route.Spec.ParentRefs ?? [])
        {
            foreach (var parent in (route.Status?.Parents ?? []).Where(p => SameParent(p.ParentRef, parentRef, ns)))
            {
                foreach (var condition in (parent.Conditions ?? []).Where(c => c.Type == "Accepted"))
                {
                    var observed = condition.ObservedGeneration ?? 0;
                    if (condition.Status != "True" || observed < generation)
                    {
                        throw new RoutingException(string.Create(CultureInfo.InvariantCulture,
                            $"HTTPRoute {apex}.{ns} parent {parentRef.Name} is not ready (status: {condition.Status}, observed generation: {observed}, current generation: {generation})"));
                    }
                }
            }
        }
    }

    /// <summary>Parent references compared with the API server's defaults applied (Gateway kind, the route's namespace).</summary>
    private static bool SameParent(ParentReference a, ParentReference b, string routeNamespace) =>
        (a.Group ?? DefaultParentGroup) == (b.Group ?? DefaultParentGroup)
        && (a.Kind ?? DefaultParentKind) == (b.Kind ?? DefaultParentKind)
        && (string.IsNullOrEmpty(a.Namespace) ? routeNamespace : a.Namespace) == (string.IsNullOrEmpty(b.Namespace) ? routeNamespace : b.Namespace)
        && a.Name == b.Name
        && a.SectionName == b.SectionName
        && a.Port == b.Port;

    /// <summary>upstream: GetRoutes, the weights of the rule with both backends (with session affinity: the one that sets cookies).</summary>
    private static TrafficSplit? ReadRoutes(Canary canary, HttpRouteSpec spec, string primary, string canaryName)
    {
        int? primaryWeight = null;
        int? canaryWeight = null;
        var mirrored = false;
        HttpRouteRule? cookieRule = null;
        foreach (var rule in spec.Rules ?? [])
        {
            var backends = rule.BackendRefs ?? [];
            if (canary.Spec.Analysis?.SessionAffinity is not null && backends.Any(b => b.Filters is { Count: > 0 }))
            {
                cookieRule = rule;
            }

            // A/B: the fallback rule has the primary alone and is not the split.
            if (backends.Count == 2)
            {
                Weigh(backends);
            }

            mirrored |= (rule.Filters ?? []).Any(f => f.Type == RequestMirror && f.RequestMirror?.BackendRef.Name == canaryName);
        }

        if (cookieRule is not null)
        {
            Weigh(cookieRule.BackendRefs!);
        }

        return primaryWeight is null || canaryWeight is null ? null : new TrafficSplit(primaryWeight.Value, canaryWeight.Value, mirrored);

        void Weigh(List<HttpBackendRef> backends)
        {
            foreach (var backend in backends)
            {
                if (backend.Name == primary)
                {
                    primaryWeight = backend.Weight ?? 1;
                }
                else if (backend.Name == canaryName)
                {
                    canaryWeight = backend.Weight ?? 1;
                }
            }
        }
    }

    /// <summary>The route spec for a split (upstream: SetRoutes, getSessionAffinityRouteRules, the A/B layout).</summary>
    private HttpRouteSpec RouteSpec(Canary canary, CanaryService service, TrafficSplit split, SessionAffinityCookies cookies, bool strict)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        var analysis = canary.Spec.Analysis;
        var matches = ServiceMatches(service);
        var weighted = BaseRule(service, matches);
        weighted.BackendRefs = [Backend(primary, split.PrimaryWeight, service.Port), Backend(canaryName, split.CanaryWeight, service.Port)];

        // Blue/green mirroring: requests are copied to the canary while the primary answers them.
        if (split.Mirrored && analysis?.Iterations > 0)
        {
            weighted.Filters ??= [];
            weighted.Filters.Add(new HttpRouteFilter
            {
                Type = RequestMirror,
                RequestMirror = new HttpRequestMirrorFilter
                {
                    BackendRef = new BackendRef { Group = "", Kind = ServiceKind, Name = canaryName, Port = service.Port },
                },
            });
        }

        var rules = new List<HttpRouteRule> { weighted };
        if (analysis?.SessionAffinity is { CookieName.Length: > 0 } affinity)
        {
            rules = SessionAffinityRules(canary, service, affinity, split, cookies, weighted, strict);
        }

        // A/B: matching requests are split, the rest go to the primary alone.
        if (analysis?.Match is { Count: > 0 } abMatch)
        {
            rules[0].Matches = MergeMatches(MapMatches(abMatch), matches);
            var fallback = BaseRule(service, matches);
            fallback.BackendRefs = [Backend(primary, 100, service.Port)];
            rules.Add(fallback);
        }

        return new HttpRouteSpec
        {
            ParentRefs = [.. service.GatewayRefs!.Select(r => new ParentReference
            {
                Group = r.Group,
                Kind = r.Kind,
                Namespace = r.Namespace,
                Name = r.Name ?? "",
                SectionName = r.SectionName,
                Port = r.Port,
            })],
            Hostnames = service.Hosts is { Count: > 0 } hosts ? [.. hosts] : null,
            Rules = rules,
        };
    }

    private List<HttpRouteRule> SessionAffinityRules(
        Canary canary, CanaryService service, SessionAffinity affinity, TrafficSplit split, SessionAffinityCookies cookies,
        HttpRouteRule weighted, bool strict)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        var usePrimaryCookie = dialect.PrimaryCookie && !string.IsNullOrEmpty(affinity.PrimaryCookieName);
        var serviceMatches = MapMatches(service.Match ?? []);
        if (split.CanaryWeight > 0)
        {
            if (cookies.Current is null || (usePrimaryCookie && cookies.Primary is null))
            {
                if (!strict)
                {
                    return [weighted];
                }

                throw new RoutingException($"Canary {Id(canary)}: session affinity needs the canary cookie (and the primary cookie when " +
                    "primaryCookieName is set) for a canary weight above 0; decide them with SessionAffinityCookies.ForStep");
            }

            // Responses from the canary hand out its cookie; requests carrying it stick to the canary.
            var sticky = CopyRule(weighted);
            weighted.BackendRefs![1].Filters = [SetCookie(BuildCookie(affinity, cookies.Current, CanaryDefaults.GetSessionAffinityMaxAge(affinity)))];
            sticky.Matches = MergeMatches([CookieMatch(cookies.Current)], serviceMatches);
            sticky.BackendRefs = [Backend(primary, 0, service.Port), Backend(canaryName, 100, service.Port)];
            if (!usePrimaryCookie)
            {
                return [sticky, weighted];
            }

            if (!GoDuration.TryParse(canary.Spec.Analysis?.Interval, out var interval))
            {
                throw new RoutingException($"Canary {Id(canary)}: failed to parse canary interval '{canary.Spec.Analysis?.Interval}' " +
                    "(spec.analysis.interval, e.g. 1m or 30s) needed for the primary session cookie");
            }

            var stickyPrimary = CopyRule(weighted);
            stickyPrimary.Matches = MergeMatches([CookieMatch(cookies.Primary!)], serviceMatches);
            stickyPrimary.BackendRefs = [Backend(primary, 100, service.Port), Backend(canaryName, 0, service.Port)];
            weighted.BackendRefs[0].Filters = [SetCookie(BuildCookie(affinity, cookies.Primary!, (int)interval.TotalSeconds))];
            return [sticky, stickyPrimary, weighted];
        }

        // No canary traffic: requests still carrying the previous run's cookie get it expired, then route by weight.
        // (Upstream emits the weighted rule twice when there is no previous cookie; one is enough.)
        var previous = cookies.Current ?? cookies.Previous;
        if (previous is null)
        {
            return [weighted];
        }

        var expiring = CopyRule(weighted);
        expiring.Matches = MergeMatches([CookieMatch(previous)], serviceMatches);
        expiring.Filters ??= [];
        expiring.Filters.Add(SetCookie($"{previous}; Max-Age=-1"));
        return [expiring, weighted];
    }

    /// <summary>The rule fields every rule shares: matches (default: every path), filters, timeouts.</summary>
    private HttpRouteRule BaseRule(CanaryService service, List<HttpRouteMatch> matches)
    {
        var rule = new HttpRouteRule { Matches = Clone(matches), Filters = Filters(service) };
        if (dialect.Timeouts && (!string.IsNullOrEmpty(service.Timeout) || !string.IsNullOrEmpty(service.BackendTimeout)))
        {
            rule.Timeouts = new HttpRouteTimeouts
            {
                Request = string.IsNullOrEmpty(service.Timeout) ? null : service.Timeout,
                BackendRequest = string.IsNullOrEmpty(service.BackendTimeout) ? null : service.BackendTimeout,
            };
        }

        return rule;
    }

    private static HttpRouteRule CopyRule(HttpRouteRule rule) => Clone(rule);

    /// <summary><c>service.match</c> mapped, or a single <c>PathPrefix /</c> match.</summary>
    private static List<HttpRouteMatch> ServiceMatches(CanaryService service)
    {
        var matches = MapMatches(service.Match ?? []);
        return matches.Count > 0 ? matches : [new HttpRouteMatch { Path = new HttpPathMatch { Type = PathPrefix, Value = "/" } }];
    }

    /// <summary>
    /// upstream: mapRouteMatches. uri regex/exact/prefix → path RegularExpression/Exact/PathPrefix, method exact,
    /// headers and queryParams exact/regex (sorted by name: upstream's order is Go's random map order); anything else is an error.
    /// </summary>
    private static List<HttpRouteMatch> MapMatches(List<HttpMatchRequest> requestMatches)
    {
        var result = new List<HttpRouteMatch>();
        foreach (var m in requestMatches)
        {
            var match = new HttpRouteMatch();
            if (m.Uri is { } uri)
            {
                match.Path = !string.IsNullOrEmpty(uri.Regex) ? new HttpPathMatch { Type = RegularExpression, Value = uri.Regex }
                    : !string.IsNullOrEmpty(uri.Exact) ? new HttpPathMatch { Type = Exact, Value = uri.Exact }
                    : !string.IsNullOrEmpty(uri.Prefix) ? new HttpPathMatch { Type = PathPrefix, Value = uri.Prefix }
                    : throw Unsupported("path", "uri");
            }

            if (m.Method is { } method)
            {
                match.Method = !string.IsNullOrEmpty(method.Exact) ? method.Exact : throw Unsupported("method", "method");
            }

            match.Headers = Values(m.Headers, "header", "headers");
            match.QueryParams = Values(m.QueryParams, "query", "queryParams");
            if (match.Path is not null || match.Method is not null || match.Headers is not null || match.QueryParams is not null)
            {
                result.Add(match);
            }
        }

        return result;

        static List<HttpValueMatch>? Values(Dictionary<string, StringMatch>? values, string what, string field)
        {
            if (values is not { Count: > 0 })
            {
                return null;
            }

            return [.. values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v =>
                !string.IsNullOrEmpty(v.Value.Exact) ? new HttpValueMatch { Type = Exact, Name = v.Key, Value = v.Value.Exact }
                : !string.IsNullOrEmpty(v.Value.Regex) ? new HttpValueMatch { Type = RegularExpression, Name = v.Key, Value = v.Value.Regex }
                : throw Unsupported(what, field))];
        }

        static RoutingException Unsupported(string what, string field) => new(
            $"Invalid request matching selectors: Gateway API doesn't support the specified {what} matching selector " +
            $"(match[].{field}: use exact or regex{(field == "uri" ? " or prefix" : "")})");
    }

    /// <summary>upstream: mergeMatchConditions, each service match with the analysis match's headers and queryParams.</summary>
    private static List<HttpRouteMatch> MergeMatches(List<HttpRouteMatch> analysis, List<HttpRouteMatch> service)
    {
        if (analysis.Count == 0)
        {
            return Clone(service);
        }

        if (service.Count == 0)
        {
            return Clone(analysis);
        }

        var merged = new List<HttpRouteMatch>(analysis.Count * service.Count);
        foreach (var a in analysis)
        {
            foreach (var s in service)
            {
                var copy = Clone(s);
                if (a.Headers is { Count: > 0 })
                {
                    copy.Headers = Clone(a.Headers);
                }

                if (a.QueryParams is { Count: > 0 })
                {
                    copy.QueryParams = Clone(a.QueryParams);
                }

                merged.Add(copy);
            }
        }

        return merged;
    }

    /// <summary>upstream: makeFilters. Request and response header modifiers, URL rewrite, one mirror per <c>service.mirror</c>, CORS (v1).</summary>
    private List<HttpRouteFilter>? Filters(CanaryService service)
    {
        var filters = new List<HttpRouteFilter>();
        if (service.Headers?.Request is { } request)
        {
            filters.Add(new HttpRouteFilter { Type = RequestHeaderModifier, RequestHeaderModifier = HeaderFilter(request) });
        }

        if (service.Headers?.Response is { } response)
        {
            filters.Add(new HttpRouteFilter { Type = ResponseHeaderModifier, ResponseHeaderModifier = HeaderFilter(response) });
        }

        if (service.Rewrite is { } rewrite)
        {
            var urlRewrite = new HttpUrlRewriteFilter { Hostname = string.IsNullOrEmpty(rewrite.Authority) ? null : rewrite.Authority };
            if (!string.IsNullOrEmpty(rewrite.Uri))
            {
                var type = CanaryDefaults.GetRewriteType(rewrite);
                urlRewrite.Path = type == CanaryDefaults.RewriteReplaceFullPath
                    ? new HttpPathModifier { Type = type, ReplaceFullPath = rewrite.Uri }
                    : new HttpPathModifier { Type = type, ReplacePrefixMatch = rewrite.Uri };
            }

            filters.Add(new HttpRouteFilter { Type = "URLRewrite", UrlRewrite = urlRewrite });
        }

        foreach (var mirror in service.Mirror ?? [])
        {
            var b = mirror.BackendRef;
            filters.Add(new HttpRouteFilter
            {
                Type = RequestMirror,
                RequestMirror = new HttpRequestMirrorFilter
                {
                    BackendRef = new BackendRef { Group = b?.Group, Kind = b?.Kind, Name = b?.Name ?? "", Namespace = b?.Namespace, Port = b?.Port },
                },
            });
        }

        if (dialect.Cors && service.CorsPolicy is { } cors)
        {
            filters.Add(new HttpRouteFilter { Type = "CORS", Cors = CorsFilter(cors) });
        }

        return filters.Count == 0 ? null : filters;
    }

    private static HttpHeaderFilter HeaderFilter(HeaderOperation operation) => new()
    {
        Add = Sorted(operation.Add),
        Set = Sorted(operation.Set),
        Remove = operation.Remove is { Count: > 0 } remove ? [.. remove] : null,
    };

    private static List<HttpHeader>? Sorted(Dictionary<string, string>? headers) =>
        headers is { Count: > 0 }
            ? [.. headers.OrderBy(h => h.Key, StringComparer.Ordinal).ThenBy(h => h.Value, StringComparer.Ordinal).Select(h => new HttpHeader { Name = h.Key, Value = h.Value })]
            : null;

    /// <summary>
    /// upstream: toV1CORSFilter. <c>allowOrigin</c> (plain origins) maps to <c>allowOrigins</c>; Istio's pattern list
    /// <c>allowOrigins</c> has no Gateway API equivalent and is dropped; <c>maxAge</c> becomes seconds.
    /// </summary>
    private HttpCorsFilter CorsFilter(CorsPolicy cors)
    {
        if (cors.AllowOrigins is { Count: > 0 })
        {
            GatewayApiLog.CorsOriginsUnsupported(logger);
        }

        return new HttpCorsFilter
        {
            AllowOrigins = cors.AllowOrigin is { Count: > 0 } origins ? [.. origins] : null,
            AllowMethods = cors.AllowMethods is { Count: > 0 } methods ? [.. methods] : null,
            AllowHeaders = cors.AllowHeaders is { Count: > 0 } headers ? [.. headers] : null,
            ExposeHeaders = cors.ExposeHeaders is { Count: > 0 } expose ? [.. expose] : null,
            AllowCredentials = cors.AllowCredentials == true ? true : null,
            MaxAge = GoDuration.TryParse(cors.MaxAge, out var maxAge) && (int)maxAge.TotalSeconds != 0 ? (int)maxAge.TotalSeconds : null,
        };
    }

    private static HttpBackendRef Backend(string name, int weight, int? port) =>
        new() { Group = "", Kind = ServiceKind, Name = name, Port = port, Weight = weight };

    private static HttpRouteMatch CookieMatch(string cookie)
    {
        var parts = cookie.Split('=');
        return new HttpRouteMatch
        {
            Headers = [new HttpValueMatch { Type = RegularExpression, Name = CookieHeader, Value = $".*{parts[0]}.*{(parts.Length > 1 ? parts[1] : "")}.*" }],
        };
    }

    private static HttpRouteFilter SetCookie(string value) => new()
    {
        Type = ResponseHeaderModifier,
        ResponseHeaderModifier = new HttpHeaderFilter { Add = [new HttpHeader { Name = SetCookieHeader, Value = value }] },
    };

    /// <summary><c>&lt;cookie&gt;; Max-Age=n[; Domain=d][; HttpOnly][; Partitioned][; Path=p][; SameSite=s][; Secure]</c> (upstream: BuildCookie).</summary>
    private static string BuildCookie(SessionAffinity affinity, string cookie, int maxAge)
    {
        var value = string.Create(CultureInfo.InvariantCulture, $"{cookie}; Max-Age={maxAge}");
        value += string.IsNullOrEmpty(affinity.Domain) ? "" : $"; Domain={affinity.Domain}";
        value += affinity.HttpOnly == true ? "; HttpOnly" : "";
        value += affinity.Partitioned == true ? "; Partitioned" : "";
        value += string.IsNullOrEmpty(affinity.Path) ? "" : $"; Path={affinity.Path}";
        value += string.IsNullOrEmpty(affinity.SameSite) ? "" : $"; SameSite={affinity.SameSite}";
        value += affinity.Secure == true ? "; Secure" : "";
        return value;
    }

    /// <summary>
    /// The spec as Reconcile compares it (upstream: the cmp options of Reconcile): API-server defaults applied, without
    /// backend weights; with session affinity without the cookie rules and backend filters; with mirroring during a
    /// run without the rule filters (the RequestMirror SetRoutes added).
    /// </summary>
    private static JsonNode? WithoutLiveState(Canary canary, HttpRouteSpec spec)
    {
        if (WithDefaults(ToNode(spec)) is not JsonObject obj)
        {
            return null;
        }

        var affinity = canary.Spec.Analysis?.SessionAffinity;
        var phase = canary.Status?.Phase;
        var mirrorRun = canary.Spec.Analysis?.Mirror == true
            && (phase == nameof(CanaryPhase.Waiting) || phase == nameof(CanaryPhase.Progressing) || phase == nameof(CanaryPhase.WaitingPromotion));
        if (obj["rules"] is JsonArray rules)
        {
            foreach (var rule in rules.OfType<JsonObject>().ToList())
            {
                if (affinity is not null && IsCookieRule(rule, affinity))
                {
                    rules.Remove(rule);
                    continue;
                }

                if (mirrorRun)
                {
                    rule.Remove("filters");
                }

                foreach (var backend in (rule["backendRefs"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    backend.Remove("weight");
                    if (affinity is not null)
                    {
                        backend.Remove("filters");
                    }
                }
            }
        }

        return obj;

        static bool IsCookieRule(JsonObject rule, SessionAffinity affinity) =>
            (rule["matches"] as JsonArray)?.OfType<JsonObject>().Any(m => (m["headers"] as JsonArray)?.OfType<JsonObject>().Any(h =>
                h["type"]?.GetValue<string>() == RegularExpression && h["name"]?.GetValue<string>() == CookieHeader
                && h["value"]?.GetValue<string>() is { } value
                && (value.Contains(affinity.CookieName ?? "", StringComparison.Ordinal)
                    || value.Contains(affinity.PrimaryCookieName ?? "", StringComparison.Ordinal))) == true) == true;
    }

    /// <summary>
    /// The spec with the defaults the API server writes into an HTTPRoute (parent group/kind, match path and types,
    /// backend group/kind/weight), so that a stored route compares equal to the one Flagger rendered.
    /// </summary>
    private static JsonNode? WithDefaults(JsonNode? spec)
    {
        if (spec is not JsonObject obj)
        {
            return spec;
        }

        foreach (var parent in (obj["parentRefs"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            parent["group"] ??= DefaultParentGroup;
            parent["kind"] ??= DefaultParentKind;
        }

        foreach (var rule in (obj["rules"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (rule["matches"] is not JsonArray { Count: > 0 })
            {
                rule["matches"] = new JsonArray(new JsonObject());
            }

            foreach (var match in ((JsonArray)rule["matches"]!).OfType<JsonObject>())
            {
                var path = match["path"] as JsonObject ?? new JsonObject();
                path["type"] ??= PathPrefix;
                path["value"] ??= "/";
                match["path"] = path;
                foreach (var value in new[] { "headers", "queryParams" }.SelectMany(f => (match[f] as JsonArray)?.OfType<JsonObject>() ?? []))
                {
                    value["type"] ??= Exact;
                }
            }

            foreach (var backend in (rule["backendRefs"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                backend["group"] ??= "";
                backend["kind"] ??= ServiceKind;
                backend["weight"] ??= 1;
            }

            foreach (var filter in (rule["filters"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (filter["requestMirror"]?["backendRef"] is JsonObject mirror)
                {
                    mirror["group"] ??= "";
                    mirror["kind"] ??= ServiceKind;
                }
            }
        }

        return obj;
    }
}

/// <summary>The Gateway API routers' log messages.</summary>
internal static partial class GatewayApiLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "HTTPRoute {Name}.{Namespace} created")]
    public static partial void Created(ILogger logger, string name, string @namespace);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTPRoute {Name}.{Namespace} updated")]
    public static partial void Updated(ILogger logger, string name, string @namespace);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTPRoute {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}, mirrored {Mirrored}")]
    public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight, bool mirrored);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTPRoute {Name}.{Namespace} reverted to its original configuration")]
    public static partial void Reverted(ILogger logger, string name, string @namespace);

    [LoggerMessage(Level = LogLevel.Error, Message = "'corsPolicy.allowOrigins' is not supported by Gateway API, use 'corsPolicy.allowOrigin' instead")]
    public static partial void CorsOriginsUnsupported(ILogger logger);
}
