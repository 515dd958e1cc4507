using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic.Exporters;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// APISIX: requests for a Service are the requests matched by an ApisixRoute rule (in its namespace) whose backend is
/// the Service. Of all rules with the same <c>match</c> (hosts, paths, methods, exprs), APISIX serves them with the
/// one of highest <c>priority</c> (the canary route's 10000 wins over the user's 0), whose backends split them by
/// weight (absent: 100, the ingress controller's default). Rules that enable the <c>prometheus</c> plugin name the
/// APISIX route (<c>&lt;ns&gt;_&lt;ApisixRoute&gt;_&lt;rule&gt;</c> with <c>prefer_name</c>) as
/// <see cref="WeightedDestination.Via"/>, so their requests get <c>apisix_http_*</c> series.
/// </summary>
// upstream: pkg/router/apisix.go writes the canary route; test/apisix/test-canary.sh enables prometheus with prefer_name.
internal sealed class ApisixRouteTable : IRouteTable
{
    public const string Group = "apisix.apache.org";
    public const string Version = "v2";

    /// <summary>The ingress controller's default backend weight.</summary>
    private const double DefaultWeight = 100;

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var type = store.FindType(Group, Version, "apisixroutes");
        if (type is null)
        {
            return null;
        }

        var rules = store.Scan(type, ns)
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .SelectMany(r => (r.Node["spec"]?["http"] as JsonArray ?? []).OfType<JsonObject>().Select((rule, index) => (Route: r, Rule: rule, Index: index)))
            .ToList();
        var entry = rules.FirstOrDefault(r => Backends(r.Rule).Any(b => Str(b["serviceName"]) == service));
        if (entry.Rule is null)
        {
            return null;
        }

        // Same match, highest priority wins; on a tie the first rule (by route name) keeps it.
        var match = entry.Rule["match"];
        var chosen = rules
            .Where(r => JsonNode.DeepEquals(r.Rule["match"], match))
            .OrderByDescending(r => Num(r.Rule["priority"]) ?? 0)
            .First();
        var via = PrometheusRouteLabel(chosen.Route, chosen.Rule, chosen.Index) is { } label ? ApisixExporter.ViaRoute(label) : null;
        var destinations = Backends(chosen.Rule)
            .Where(b => Str(b["serviceName"]) is not null)
            .Select(b => new WeightedDestination(Str(b["serviceName"])!, Num(b["weight"]) ?? DefaultWeight, via))
            .ToList();
        return new Route([new RouteRule([], destinations, null)]);
    }

    /// <summary>
    /// The <c>route</c> label of a rule with the prometheus plugin enabled: the APISIX route name
    /// <c>&lt;ns&gt;_&lt;ApisixRoute&gt;_&lt;rule&gt;</c> when <c>prefer_name</c> is true, else its generated id; null without the plugin.
    /// </summary>
    private static string? PrometheusRouteLabel(StoredObject route, JsonObject rule, int index)
    {
        var plugin = (rule["plugins"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(p => Str(p["name"]) == "prometheus" && Bool(p["enable"]) != false);
        if (plugin is null || Bool(plugin["config"]?["disable"]) == true)
        {
            return null;
        }

        return Bool(plugin["config"]?["prefer_name"]) == true
            ? $"{route.Namespace}_{route.Name}_{Str(rule["name"])}"
            : $"{route.Uid[..8]}{index}";
    }

    private static IEnumerable<JsonObject> Backends(JsonObject rule) => (rule["backends"] as JsonArray ?? []).OfType<JsonObject>();

    private static bool? Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
