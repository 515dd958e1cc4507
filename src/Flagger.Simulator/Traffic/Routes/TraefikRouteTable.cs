using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic.Exporters;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Traefik: requests for a Service enter through the first IngressRoute (by name) in its namespace with a route whose
/// <c>services</c> name the TraefikService of the same name, and are split by that TraefikService's
/// <c>weighted.services</c> (weight absent: 1, weight 0: nothing, as Traefik's weighted round robin). Destinations carry
/// the TraefikService as <see cref="WeightedDestination.Via"/>, so only requests Traefik proxied get Traefik's series.
/// </summary>
// upstream: pkg/router/traefik.go writes the TraefikService; test/traefik/test-canary.sh's IngressRoute targets it.
internal sealed class TraefikRouteTable : IRouteTable
{
    public const string Group = "traefik.io";
    public const string Version = "v1alpha1";

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var ingressRoutes = store.FindType(Group, Version, "ingressroutes");
        var traefikServices = store.FindType(Group, Version, "traefikservices");
        if (ingressRoutes is null || traefikServices is null)
        {
            return null;
        }

        var entered = store.Scan(ingressRoutes, ns)
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .Any(r => (r.Node["spec"]?["routes"] as JsonArray ?? []).OfType<JsonObject>().Any(route => TargetsTraefikService(route, service, ns)));
        if (!entered || store.TryGet(traefikServices, ns, service) is not { } traefikService)
        {
            return null;
        }

        var destinations = (traefikService.Node["spec"]?["weighted"]?["services"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(s => Str(s["kind"]) is null or "Service" && (Str(s["namespace"]) ?? ns) == ns && Str(s["name"]) is not null)
            .Select(s => new WeightedDestination(Str(s["name"])!, Num(s["weight"]) ?? 1, TraefikExporter.ViaTraefikService(service)))
            .ToList();
        return new Route([new RouteRule([], destinations, null)]);
    }

    private static bool TargetsTraefikService(JsonObject route, string service, string ns) =>
        (route["services"] as JsonArray ?? []).OfType<JsonObject>().Any(s =>
            Str(s["kind"]) == "TraefikService" && Str(s["name"]) == service && (Str(s["namespace"]) ?? ns) == ns);

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
