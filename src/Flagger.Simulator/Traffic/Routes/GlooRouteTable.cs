using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic.Exporters;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Gloo Edge RouteTables: the table named after the Service in its namespace (Flagger's <c>&lt;svc&gt;</c>), served only
/// when a gateway VirtualService (any namespace) delegates to it. Each route's matchers are alternatives of ANDed header
/// conditions; its destinations are Upstreams, resolved to their <c>kube.serviceName</c>, and carry the Upstream's
/// name (<see cref="EnvoyExporter.GlooUpstreamVia"/>) because Gloo's Envoy names its clusters after Upstreams. Simulated
/// requests are <c>GET /</c>: path matchers always match and a method matcher matches when it lists GET.
/// </summary>
// upstream: pkg/router/gloo.go writes these objects; the reading follows Gloo's RouteTable and Upstream semantics.
internal sealed class GlooRouteTable : IRouteTable
{
    public Route? Find(ClusterStore store, string ns, string service)
    {
        if (store.FindType("gateway.solo.io", "v1", "routetables") is not { } tables
            || store.FindType("gateway.solo.io", "v1", "virtualservices") is not { } virtualServices
            || store.TryGet(tables, ns, service) is not { } table
            || !IsDelegatedTo(store, virtualServices, table))
        {
            return null;
        }

        var upstreams = store.FindType("gloo.solo.io", "v1", "upstreams");
        return new Route((table.Node["spec"]?["routes"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(route => Rule(store, upstreams, table.Namespace!, route))
            .ToList());
    }

    /// <summary>Whether a VirtualService route delegates to the table by reference (<c>delegateAction.ref</c>, or the older inline name).</summary>
    private static bool IsDelegatedTo(ClusterStore store, ResourceType virtualServices, StoredObject table) =>
        store.Scan(virtualServices, null).Any(vs => (vs.Node["spec"]?["virtualHost"]?["routes"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(route => route["delegateAction"] as JsonObject)
            .OfType<JsonObject>()
            .Select(delegate_ => delegate_["ref"] as JsonObject ?? delegate_)
            .Any(reference => Str(reference["name"]) == table.Name && (Str(reference["namespace"]) ?? vs.Namespace) == table.Namespace));

    private static RouteRule Rule(ClusterStore store, ResourceType? upstreams, string ns, JsonObject route)
    {
        var matches = (route["matchers"] as JsonArray ?? []).OfType<JsonObject>().Select(Conditions).ToList();
        var destinations = new List<WeightedDestination>();
        if (route["routeAction"]?["multi"]?["destinations"] is JsonArray multi)
        {
            foreach (var d in multi.OfType<JsonObject>())
            {
                destinations.Add(Destination(store, upstreams, ns, d["destination"]?["upstream"] as JsonObject, Num(d["weight"]) ?? 0));
            }
        }
        else if (route["routeAction"]?["single"]?["upstream"] is JsonObject single)
        {
            destinations.Add(Destination(store, upstreams, ns, single, 1));
        }

        return new RouteRule(matches, destinations, null);
    }

    /// <summary>An Upstream's Service; a missing Upstream (or one of another kind or namespace) gets no healthy host: 503.</summary>
    private static WeightedDestination Destination(ClusterStore store, ResourceType? upstreams, string ns, JsonObject? reference, double weight)
    {
        var name = Str(reference?["name"]) ?? "";
        var upstreamNs = Str(reference?["namespace"]) ?? ns;
        var kube = upstreams is null ? null : store.TryGet(upstreams, upstreamNs, name)?.Node["spec"]?["kube"];
        var serviceName = Str(kube?["serviceName"]);
        var serviceNs = Str(kube?["serviceNamespace"]) ?? upstreamNs;
        var via = EnvoyExporter.GlooUpstreamVia(name, upstreamNs);
        return serviceName is not null && serviceNs == ns
            ? new WeightedDestination(serviceName, weight, via)
            : new WeightedDestination(name + ".no-such-upstream", weight, via);
    }

    /// <summary>One matcher: all its headers (exact, regex, or present when no value), GET among its methods.</summary>
    private static IReadOnlyList<HeaderCondition> Conditions(JsonObject matcher)
    {
        var conditions = (matcher["headers"] as JsonArray ?? []).OfType<JsonObject>().Select(h =>
        {
            var name = (Str(h["name"]) ?? "").ToLowerInvariant();
            var value = Str(h["value"]);
            return h["invertMatch"]?.GetValue<bool>() == true ? new HeaderCondition(name, HeaderMatchKind.Unsupported, "")
                : h["regex"]?.GetValue<bool>() == true ? new HeaderCondition(name, HeaderMatchKind.Regex, value ?? "")
                : string.IsNullOrEmpty(value) ? new HeaderCondition(name, HeaderMatchKind.Regex, ".*")
                : new HeaderCondition(name, HeaderMatchKind.Exact, value);
        }).ToList();
        if (matcher["methods"] is JsonArray { Count: > 0 } methods && !methods.Any(m => Str(m) == "GET"))
        {
            conditions.Add(new HeaderCondition(":method", HeaderMatchKind.Unsupported, ""));
        }

        return conditions;
    }

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
