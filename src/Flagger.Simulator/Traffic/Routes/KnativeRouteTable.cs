using System.Text.Json.Nodes;
using Flagger.Simulator.Knative;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic.Exporters;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Knative Services (through Kourier): requests to the Service named like a Knative Service are split by its
/// <c>status.traffic</c> — what Knative has programmed, not what <c>spec.traffic</c> asks for yet — between the
/// revisions' Services <c>&lt;revision&gt;</c>. Kourier's Envoy names each revision's cluster
/// <c>&lt;namespace&gt;/&lt;revision&gt;</c>, so the destinations carry that name for the Envoy exporter. A Knative
/// Service without programmed traffic drops the requests (its route is not ready).
/// </summary>
// upstream: pkg/router/knative.go writes spec.traffic; pkg/metrics/observers/knative.go reads envoy_cluster_name=~"<ns>/<revision>".
internal sealed class KnativeRouteTable : IRouteTable
{
    public Route? Find(ClusterStore store, string ns, string service)
    {
        if (KnativeServingController.TypeOf(store, "services") is not { } type || store.TryGet(type, ns, service) is not { } ksvc)
        {
            return null;
        }

        var destinations = (ksvc.Node["status"]?["traffic"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(t => t["revisionName"] is not null)
            .GroupBy(t => (string)t["revisionName"]!)
            .Select(g => new WeightedDestination(g.Key, g.Sum(t => (double?)t["percent"] ?? 0), EnvoyExporter.ClusterVia($"{ns}/{g.Key}")))
            .ToList();
        return new Route([new RouteRule([], destinations, null)]);
    }
}
