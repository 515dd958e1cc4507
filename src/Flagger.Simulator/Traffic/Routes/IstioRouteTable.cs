using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Istio VirtualServices: the first one (by name) in the Service's namespace whose <c>hosts</c> name the Service;
/// its <c>http</c> rules with header matches, weighted destinations and mirror.
/// </summary>
// upstream: pkg/router/istio.go writes these objects; the reading follows Istio's HTTPRoute semantics.
internal sealed class IstioRouteTable : IRouteTable
{
    private static readonly string[] Versions = ["v1beta1", "v1", "v1alpha3"];

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var type = Versions.Select(v => store.FindType("networking.istio.io", v, "virtualservices")).FirstOrDefault(t => t is not null);
        if (type is null)
        {
            return null;
        }

        var vs = store.Scan(type, ns)
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .FirstOrDefault(v => HostsOf(v).Any(h => SameService(h, service, ns)));
        return vs is null ? null : new Route((vs.Node["spec"]?["http"] as JsonArray ?? []).OfType<JsonObject>().Select(Rule).ToList());
    }

    private static IEnumerable<string> HostsOf(StoredObject vs) =>
        (vs.Node["spec"]?["hosts"] as JsonArray)?.Select(h => Str(h) ?? "") ?? [];

    private static bool SameService(string host, string service, string ns) =>
        host == service || host == $"{service}.{ns}" || host == $"{service}.{ns}.svc" || host == $"{service}.{ns}.svc.cluster.local";

    private static string ServiceOfHost(string host) => host.Split('.')[0];

    private static RouteRule Rule(JsonObject http)
    {
        var destinations = (http["route"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        // Istio: the only destination of a route receives all of its traffic whatever its weight (Flagger's A/B
        // default route is the primary alone with weight 0).
        var weighted = destinations
            .Select(d => new WeightedDestination(ServiceOfHost(Str(d["destination"]?["host"]) ?? ""), destinations.Count == 1 ? 100 : Num(d["weight"]) ?? 0))
            .ToList();
        MirrorDestination? mirror = null;
        if (http["mirror"]?["host"] is JsonValue mirrorHost)
        {
            var percent = Num(http["mirrorPercentage"]?["value"]) ?? Num(http["mirror_percent"]) ?? 100;
            mirror = new MirrorDestination(ServiceOfHost(Str(mirrorHost) ?? ""), percent);
        }

        return new RouteRule(Matches(http["match"] as JsonArray), weighted, mirror);
    }

    /// <summary>Each <c>match</c> entry is one alternative; an entry that is not an object never matches.</summary>
    private static List<IReadOnlyList<HeaderCondition>> Matches(JsonArray? matches) =>
        (matches ?? []).Select(IReadOnlyList<HeaderCondition> (m) => m switch
        {
            JsonObject o when o["headers"] is JsonObject wanted => wanted.Select(h => Condition(h.Key, h.Value)).ToList(),
            JsonObject => [],
            _ => [new HeaderCondition("", HeaderMatchKind.Unsupported, "")],
        }).ToList();

    private static HeaderCondition Condition(string name, JsonNode? condition)
    {
        var c = condition as JsonObject;
        var (kind, value) =
            Str(c?["exact"]) is { } exact ? (HeaderMatchKind.Exact, exact)
            : Str(c?["prefix"]) is { } prefix ? (HeaderMatchKind.Prefix, prefix)
            : Str(c?["regex"]) is { } regex ? (HeaderMatchKind.Regex, regex)
            : (HeaderMatchKind.Unsupported, "");
        return new HeaderCondition(name.ToLowerInvariant(), kind, value);
    }

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
