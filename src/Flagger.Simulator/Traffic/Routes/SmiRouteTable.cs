using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// SMI TrafficSplits (Linkerd, OSM): the first split (by name) in the Service's namespace whose <c>spec.service</c>
/// names the Service sends its requests to the <c>backends</c> in proportion to their weights. The weight is read as
/// a number or as a quantity string (v1alpha1), as the mesh reads it.
/// </summary>
// upstream: pkg/router/smi.go, smi_v1alpha2.go, smi_v1alpha3.go write these objects; the reading follows the SMI spec.
internal sealed class SmiRouteTable : IRouteTable
{
    private static readonly string[] Versions = ["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"];

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var type = Versions.Select(v => store.FindType("split.smi-spec.io", v, "trafficsplits")).FirstOrDefault(t => t is not null);
        if (type is null)
        {
            return null;
        }

        var split = store.Scan(type, ns)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .FirstOrDefault(s => Str(s.Node["spec"]?["service"]) is { } apex && SameService(apex, service, ns));
        if (split is null)
        {
            return null;
        }

        var backends = (split.Node["spec"]?["backends"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(b => new WeightedDestination(Str(b["service"]) ?? "", Weight(b["weight"])))
            .ToList();
        return new Route([new RouteRule([], backends, null)]);
    }

    private static bool SameService(string host, string service, string ns) =>
        host == service || host == $"{service}.{ns}" || host == $"{service}.{ns}.svc" || host == $"{service}.{ns}.svc.cluster.local";

    /// <summary>A number, or a whole-number quantity string (<c>"90"</c>, <c>"1k"</c> is not a weight anyone writes); else 0.</summary>
    private static double Weight(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => 0,
    };

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
