using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Gateway API HTTPRoutes (<c>gateway.networking.k8s.io</c> v1/v1beta1) that a parent accepted (<c>status.parents[]</c>
/// condition <c>Accepted: True</c>, as the simulator's gateway controller or a real implementation writes it). The
/// requests the simulator sends to Service <c>&lt;svc&gt;</c> are routed by, first, a GAMMA route whose parentRef is
/// that Service (<c>group: ""</c> or <c>core</c>, <c>kind: Service</c>), the mesh's view of every request to it; else
/// the route named <c>&lt;svc&gt;</c> in its namespace attached to a Gateway, standing for a load test that reaches
/// the Service through the gateway with one of the route's hostnames (Flagger names its route after the apex Service).
/// The first by name wins. A route no parent accepted carries nothing, as an implementation programs only accepted routes.
/// </summary>
/// <remarks>
/// Simulated requests are <c>GET /</c> without a query string, carrying only the headers of their traffic class: a
/// rule's path, method and query-parameter conditions are decided against that request; header conditions
/// (<c>Exact</c>, <c>RegularExpression</c>) against its headers. Backends are weighted by <c>weight</c> (default 1,
/// 0 gets nothing); the last <c>RequestMirror</c> filter of a rule copies all its requests to its Service.
/// </remarks>
// upstream: pkg/router/gateway_api.go writes these routes; the reading follows the Gateway API HTTPRoute spec.
internal sealed class GatewayApiRouteTable : IRouteTable
{
    private const string Group = "gateway.networking.k8s.io";
    private static readonly string[] Versions = ["v1", "v1beta1"];

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var type = Versions.Select(v => store.FindType(Group, v, "httproutes")).FirstOrDefault(t => t is not null);
        if (type is null)
        {
            return null;
        }

        var routes = store.Scan(type, ns).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var route = routes.FirstOrDefault(r => AcceptedParents(r).Any(p => IsService(p, r.Namespace!, ns, service)))
            ?? routes.FirstOrDefault(r => r.Name == service && AcceptedParents(r).Any(IsGateway));
        return route is null ? null : new Route((route.Node["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>().Select(Rule).ToList());
    }

    /// <summary>The spec parentRefs whose status entry says <c>Accepted: True</c>.</summary>
    private static IEnumerable<JsonObject> AcceptedParents(StoredObject route)
    {
        var accepted = (route.Node["status"]?["parents"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(p => (p["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => (string?)c["type"] == "Accepted" && (string?)c["status"] == "True"))
            .Select(p => p["parentRef"] as JsonObject)
            .OfType<JsonObject>()
            .ToList();
        return (route.Node["spec"]?["parentRefs"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(spec => accepted.Any(a => SameParent(a, spec, route.Namespace!)));
    }

    private static bool SameParent(JsonObject a, JsonObject b, string routeNamespace) =>
        Field(a, "group", Group) == Field(b, "group", Group) && Field(a, "kind", "Gateway") == Field(b, "kind", "Gateway")
        && Field(a, "namespace", routeNamespace) == Field(b, "namespace", routeNamespace) && Field(a, "name", "") == Field(b, "name", "")
        && Field(a, "sectionName", "") == Field(b, "sectionName", "") && Num(a["port"]) == Num(b["port"]);

    private static bool IsService(JsonObject parent, string routeNamespace, string ns, string service) =>
        Field(parent, "group", Group) is "" or "core" && Field(parent, "kind", "Gateway") == "Service"
        && Field(parent, "name", "") == service && Field(parent, "namespace", routeNamespace) == ns;

    private static bool IsGateway(JsonObject parent) => Field(parent, "group", Group) == Group && Field(parent, "kind", "Gateway") == "Gateway";

    private static RouteRule Rule(JsonObject rule)
    {
        var destinations = (rule["backendRefs"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(b => Field(b, "group", "") is "" or "core" && Field(b, "kind", "Service") == "Service")
            .Select(b => new WeightedDestination(Field(b, "name", ""), Num(b["weight"]) ?? 1))
            .ToList();
        var mirror = (rule["filters"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(f => (string?)f["type"] == "RequestMirror" && f["requestMirror"]?["backendRef"] is JsonObject)
            .Select(f => new MirrorDestination(Field((JsonObject)f["requestMirror"]!["backendRef"]!, "name", ""), MirrorPercent(f["requestMirror"]!)))
            .LastOrDefault();
        return new RouteRule(Matches(rule["matches"] as JsonArray), destinations, mirror);
    }

    private static double MirrorPercent(JsonNode mirror) =>
        Num(mirror["percent"]) is { } percent ? percent
        : mirror["fraction"] is JsonObject fraction && Num(fraction["numerator"]) is { } n ? 100 * n / (Num(fraction["denominator"]) ?? 100)
        : 100;

    /// <summary>Each match is one alternative; conditions the simulated <c>GET /</c> cannot meet make it never match.</summary>
    private static List<IReadOnlyList<HeaderCondition>> Matches(JsonArray? matches) =>
        (matches ?? []).Select(IReadOnlyList<HeaderCondition> (m) =>
        {
            if (m is not JsonObject match || !PathAccepts(match["path"] as JsonObject) || !MethodAccepts(match["method"])
                || match["queryParams"] is JsonArray { Count: > 0 })
            {
                return [Never];
            }

            return (match["headers"] as JsonArray ?? []).OfType<JsonObject>().Select(h => new HeaderCondition(
                Field(h, "name", "").ToLowerInvariant(),
                Field(h, "type", "Exact") switch { "Exact" => HeaderMatchKind.Exact, "RegularExpression" => HeaderMatchKind.Regex, _ => HeaderMatchKind.Unsupported },
                Field(h, "value", ""))).ToList();
        }).ToList();

    private static readonly HeaderCondition Never = new("", HeaderMatchKind.Unsupported, "");

    private static bool PathAccepts(JsonObject? path)
    {
        var value = path is null ? "/" : Field(path, "value", "/");
        return (path is null ? "PathPrefix" : Field(path, "type", "PathPrefix")) switch
        {
            "PathPrefix" => value.TrimEnd('/').Length == 0,
            "Exact" => value == "/",
            "RegularExpression" => SafeRegex(value),
            _ => false,
        };

        static bool SafeRegex(string pattern)
        {
            try
            {
                return Regex.IsMatch("/", "^(?:" + pattern + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    private static bool MethodAccepts(JsonNode? method) => method is null || (string?)method == "GET";

    private static string Field(JsonObject obj, string name, string fallback) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : fallback;

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
