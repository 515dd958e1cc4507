using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Contour HTTPProxies: the proxy named after the Service in its namespace (Flagger's <c>&lt;svc&gt;</c>), served only when
/// Contour would serve it — it is a root proxy (<c>spec.virtualhost</c>) or a root proxy in any namespace includes it.
/// Its <c>routes</c> become rules, header conditions first (Contour prefers the route with more conditions); every
/// simulated request is a request for <c>/</c>, so path prefixes always match.
/// </summary>
// upstream: pkg/router/contour.go writes these objects; the reading follows Contour's HTTPProxy semantics.
internal sealed class ContourRouteTable : IRouteTable
{
    public Route? Find(ClusterStore store, string ns, string service)
    {
        if (store.FindType("projectcontour.io", "v1", "httpproxies") is not { } type
            || store.TryGet(type, ns, service) is not { } proxy
            || !IsServed(store, type, proxy))
        {
            return null;
        }

        var rules = (proxy.Node["spec"]?["routes"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select((route, index) => (Route: route, Index: index))
            .OrderByDescending(r => HeaderConditions(r.Route).Count)
            .ThenBy(r => r.Index)
            .Select(r => Rule(r.Route))
            .ToList();
        return new Route(rules);
    }

    /// <summary>A root proxy, or a proxy some root proxy includes (an include without namespace means the root's).</summary>
    private static bool IsServed(ClusterStore store, ResourceType type, StoredObject proxy) =>
        proxy.Node["spec"]?["virtualhost"] is JsonObject
        || store.Scan(type, null).Any(root => root.Node["spec"]?["virtualhost"] is JsonObject
            && (root.Node["spec"]?["includes"] as JsonArray ?? []).OfType<JsonObject>().Any(include =>
                Str(include["name"]) == proxy.Name && (Str(include["namespace"]) ?? root.Namespace) == proxy.Namespace));

    private static RouteRule Rule(JsonObject route)
    {
        var conditions = HeaderConditions(route);
        var services = (route["services"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var weighted = services.Where(s => s["mirror"]?.GetValue<bool>() != true).ToList();
        // Contour: with no weight anywhere the services share equally; once one has a weight, an unset weight is 0.
        var anyWeight = weighted.Any(s => Num(s["weight"]) is > 0);
        var destinations = weighted
            .Select(s => new WeightedDestination(Str(s["name"]) ?? "", anyWeight ? Num(s["weight"]) ?? 0 : 1))
            .ToList();
        var mirror = services.FirstOrDefault(s => s["mirror"]?.GetValue<bool>() == true) is { } m
            ? new MirrorDestination(Str(m["name"]) ?? "", 100)
            : null;
        return new RouteRule(conditions.Count == 0 ? [] : [conditions], destinations, mirror);
    }

    /// <summary>The route's header conditions (ANDed): exact, contains and present; a kind the simulator cannot read never holds.</summary>
    private static List<HeaderCondition> HeaderConditions(JsonObject route) =>
        (route["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => c["header"] as JsonObject)
            .OfType<JsonObject>()
            .Select(h =>
            {
                var name = (Str(h["name"]) ?? "").ToLowerInvariant();
                return Str(h["exact"]) is { } exact ? new HeaderCondition(name, HeaderMatchKind.Exact, exact)
                    : Str(h["contains"]) is { } contains ? new HeaderCondition(name, HeaderMatchKind.Regex, ".*" + Regex.Escape(contains) + ".*")
                    : h["present"]?.GetValue<bool>() == true ? new HeaderCondition(name, HeaderMatchKind.Regex, ".*")
                    : new HeaderCondition(name, HeaderMatchKind.Unsupported, "");
            })
            .ToList();

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
