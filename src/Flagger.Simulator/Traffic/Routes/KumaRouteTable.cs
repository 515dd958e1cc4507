using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Kuma TrafficRoutes (cluster-scoped): the first route (by name) whose <c>destinations</c> select the Service's Kuma
/// service tag (<c>&lt;service&gt;_&lt;namespace&gt;_svc_&lt;port&gt;</c>) splits its requests over <c>conf.split</c>, each
/// destination tag naming a Service of the same namespace.
/// </summary>
// upstream: pkg/router/kuma.go writes these objects; the reading follows Kuma's TrafficRoute semantics.
internal sealed class KumaRouteTable : IRouteTable
{
    private const string ServiceTag = "kuma.io/service";

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var type = store.FindType("kuma.io", "v1alpha1", "trafficroutes");
        if (type is null)
        {
            return null;
        }

        var route = store.Scan(type, null)
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .FirstOrDefault(r => (r.Node["spec"]?["destinations"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(d => ServiceOf(Str(d["match"]?[ServiceTag]), ns) == service));
        if (route is null)
        {
            return null;
        }

        var split = (route.Node["spec"]?["conf"]?["split"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(s => (Service: ServiceOf(Str(s["destination"]?[ServiceTag]), ns), Weight: Num(s["weight"]) ?? 0))
            .Where(s => s.Service is not null)
            .Select(s => new WeightedDestination(s.Service!, s.Weight))
            .ToList();
        return new Route([new RouteRule([], split, null)]);
    }

    /// <summary>The Service name of a Kuma service tag of <paramref name="ns"/> (<c>podinfo-canary_test_svc_9898</c>), else null.</summary>
    private static string? ServiceOf(string? tag, string ns)
    {
        var marker = $"_{ns}_svc_";
        var at = tag?.LastIndexOf(marker, StringComparison.Ordinal) ?? -1;
        return at > 0 ? tag![..at] : null;
    }

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
