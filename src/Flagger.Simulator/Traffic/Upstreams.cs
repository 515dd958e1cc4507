using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Flagger.Simulator.Workloads;

namespace Flagger.Simulator.Traffic;

/// <summary>Resolves a Service to the ready workloads its selector matches; read under <see cref="ClusterStore.Read{T}"/>.</summary>
internal sealed class Upstreams(ClusterStore store)
{
    /// <summary>Requests to a Service go to the workloads its selector matches, split by ready replicas; none ready → 503 by the mesh.</summary>
    public void Send(string service, string ns, double requests, List<Delivery> result, string? via = null)
    {
        var svc = store.TryGet(BuiltinTypes.Services, ns, service);
        var selector = svc is null ? null : StoredObject.ReadMap(svc.Node["spec"]?["selector"]);
        var targets = selector is { Count: > 0 } ? WorkloadsMatching(ns, selector) : [];
        var ready = targets.Where(t => t.Ready > 0).ToList();
        var port = PortOf(svc);
        if (ready.Count == 0)
        {
            // No healthy upstream: the mesh answers 503 itself.
            result.Add(new Delivery(service, ns, port, null, requests, via));
            return;
        }

        var total = ready.Sum(t => (double)t.Ready);
        foreach (var t in ready)
        {
            result.Add(new Delivery(service, ns, port, t, requests * t.Ready / total, via));
        }
    }

    private List<UpstreamWorkload> WorkloadsMatching(string ns, IReadOnlyDictionary<string, string> selector)
    {
        var list = new List<UpstreamWorkload>();
        var labelSelector = LabelSelector.FromMap(selector);
        foreach (var type in new[] { BuiltinTypes.Deployments, BuiltinTypes.DaemonSets })
        {
            foreach (var w in store.Scan(type, ns))
            {
                var template = w.Node["spec"]?["template"];
                var labels = StoredObject.ReadMap(template?["metadata"]?["labels"]);
                if (labelSelector.Matches(labels))
                {
                    list.Add(Describe(w, ns, type, template, labels));
                }
            }
        }

        return list;
    }

    private static UpstreamWorkload Describe(StoredObject w, string ns, ResourceType type, JsonNode? template, IReadOnlyDictionary<string, string> labels)
    {
        var annotations = StoredObject.ReadMap(template?["metadata"]?["annotations"]);
        var ready = (long)(Num(w.Node["status"]?[type == BuiltinTypes.Deployments ? "readyReplicas" : "numberReady"]) ?? 0);
        return new UpstreamWorkload(
            w.Name, ns,
            labels.TryGetValue("app", out var app) ? app : labels.TryGetValue("app.kubernetes.io/name", out var name) ? name : w.Name,
            ready,
            Number(annotations, TrafficModel.ErrorRateAnnotation, 0, 0, 1),
            (int)Number(annotations, TrafficModel.ErrorCodeAnnotation, 500, 100, 599),
            Number(annotations, TrafficModel.LatencyAnnotation, 20, 0.01, 3_600_000),
            Number(annotations, TrafficModel.LatencySigmaAnnotation, 0.25, 0, 5),
            PodNames.PodName(w.Name, template));
    }

    /// <summary>The Service's first port (the one Flagger's routers target), or null when it has none.</summary>
    private static int? PortOf(StoredObject? svc) =>
        svc?.Node["spec"]?["ports"] is JsonArray { Count: > 0 } ports && ports[0] is JsonObject first && first["port"] is JsonValue v && v.TryGetValue<int>(out var port)
            ? port
            : null;

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static double Number(IReadOnlyDictionary<string, string> annotations, string key, double fallback, double min, double max) =>
        annotations.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? Math.Clamp(v, min, max)
            : fallback;
}
