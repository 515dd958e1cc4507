using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Microsoft.Extensions.Logging;

namespace Flagger.Simulator.Keda;

/// <summary>
/// Plays KEDA's operator once the <c>keda.sh</c> ScaledObject CRD (<c>deploy/dev/keda-crds.yaml</c>) is applied: every
/// ScaledObject sets its target Deployment's <c>spec.replicas</c>. With <c>autoscaling.keda.sh/paused-replicas: "N"</c>
/// the target is held at N; with <c>autoscaling.keda.sh/paused: "true"</c> it is left alone; otherwise, as KEDA's
/// HPA does for an <c>AverageValue</c> trigger, replicas = ceil(metric / trigger <c>threshold</c>) bounded by
/// <c>minReplicaCount</c>/<c>maxReplicaCount</c> (default 100), and <c>minReplicaCount</c> (default 0) while the metric
/// is not above the activation threshold (0). The metric each ScaledObject's scaler would read is set with
/// <see cref="SetMetricValue"/> (none: inactive). Status gets <c>Ready</c>/<c>Active</c>/<c>Paused</c> conditions.
/// </summary>
public sealed partial class KedaController
{
    private const string Group = "keda.sh";
    private const string PausedReplicasAnnotation = "autoscaling.keda.sh/paused-replicas";
    private const string PausedAnnotation = "autoscaling.keda.sh/paused";
    private const int DefaultMaxReplicas = 100;
    private readonly ClusterStore store;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<(string Namespace, string Name), double> metrics = new();

    internal KedaController(ClusterStore store, ILogger logger)
    {
        this.store = store;
        this.logger = logger;
    }

    /// <summary>How often every ScaledObject is evaluated (KEDA's pollingInterval, shortened for tests).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Sets the value the scaler of ScaledObject <paramref name="name"/> reads from its trigger's source (e.g. a Prometheus query result).</summary>
    public void SetMetricValue(string @namespace, string name, double value) => metrics[(@namespace, name)] = value;

    internal async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, store.Time, ct);
                ReconcileAll();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ApiException or InvalidOperationException or FormatException)
            {
                Log.ReconcileFailed(logger, e.Message);
            }
        }
    }

    /// <summary>One pass over every ScaledObject.</summary>
    internal void ReconcileAll()
    {
        if (store.Types().FirstOrDefault(t => t.Group == Group && t.Plural == "scaledobjects") is not { } type)
        {
            return;
        }

        store.Read(() =>
        {
            foreach (var so in store.Scan(type, null).Where(o => !o.IsDeleting))
            {
                Reconcile(type, so);
            }

            return true;
        });
    }

    /// <summary>The replicas KEDA wants for a ScaledObject, or null when autoscaling is paused without a replica count.</summary>
    internal static int? DesiredReplicas(JsonObject scaledObject, double? metric)
    {
        var annotations = StoredObject.ReadMap(scaledObject["metadata"]?["annotations"]);
        if (annotations.TryGetValue(PausedReplicasAnnotation, out var paused) && int.TryParse(paused, NumberStyles.None, CultureInfo.InvariantCulture, out var pausedReplicas))
        {
            return pausedReplicas;
        }

        if (annotations.TryGetValue(PausedAnnotation, out var pausedFlag) && pausedFlag == "true")
        {
            return null;
        }

        var spec = scaledObject["spec"];
        var min = (int?)Num(spec?["minReplicaCount"]) ?? 0;
        var max = (int?)Num(spec?["maxReplicaCount"]) ?? DefaultMaxReplicas;
        if (metric is not > 0)
        {
            return min;
        }

        var threshold = (spec?["triggers"] as JsonArray)?.OfType<JsonObject>()
            .Select(t => double.TryParse((string?)t["metadata"]?["threshold"], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .FirstOrDefault(v => v > 0) ?? 0;
        var wanted = threshold > 0 ? (int)Math.Ceiling(metric.Value / threshold) : max;
        return Math.Clamp(wanted, Math.Max(min, 1), Math.Max(max, 1));
    }

    private void Reconcile(ResourceType type, StoredObject so)
    {
        var ns = so.Namespace!;
        var targetName = (string?)so.Node["spec"]?["scaleTargetRef"]?["name"];
        var targetKind = (string?)so.Node["spec"]?["scaleTargetRef"]?["kind"] ?? "Deployment";
        var target = targetName is null || targetKind != "Deployment" ? null : store.TryGet(BuiltinTypes.Deployments, ns, targetName);
        var desired = DesiredReplicas(so.Node, metrics.TryGetValue((ns, so.Name), out var m) ? m : null);
        if (target is not null && desired is { } replicas && (int?)Num(target.Node["spec"]?["replicas"]) != replicas)
        {
            var body = target.CloneNode();
            body["spec"]!["replicas"] = replicas;
            store.Update(BuiltinTypes.Deployments, ns, target.Name, Parsed(body), status: false);
            Log.Scaled(logger, ns, target.Name, replicas, so.Name);
        }

        var annotations = StoredObject.ReadMap(so.Metadata["annotations"]);
        var pausedReplicas = annotations.TryGetValue(PausedReplicasAnnotation, out var p) && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        var paused = pausedReplicas is not null || annotations.GetValueOrDefault(PausedAnnotation) == "true";
        var previous = so.Node["status"] as JsonObject;
        var status = new JsonObject
        {
            ["scaleTargetKind"] = "apps/v1.Deployment",
            ["scaleTargetGVKR"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "Deployment", ["resource"] = "deployments" },
            ["originalReplicaCount"] = previous?["originalReplicaCount"]?.DeepClone() ?? (Num(target?.Node["spec"]?["replicas"]) is { } original ? JsonValue.Create(original) : null),
            ["conditions"] = new JsonArray(
                Condition("Ready", target is not null, target is not null ? "ScaledObjectReady" : "ScaledObjectCheckFailed"),
                Condition("Active", !paused && metrics.TryGetValue((ns, so.Name), out var active) && active > 0, "ScalerActive"),
                Condition("Paused", paused, paused ? "ScaledObjectPaused" : "ScaledObjectUnpaused")),
        };
        if (pausedReplicas is { } count)
        {
            status["pausedReplicaCount"] = count;
        }

        if (!JsonNode.DeepEquals(status, previous))
        {
            var body = so.CloneNode();
            body["status"] = status;
            store.Update(type, ns, so.Name, Parsed(body), status: true);
        }
    }

    private static JsonObject Condition(string type, bool value, string reason) =>
        new() { ["type"] = type, ["status"] = value ? "True" : "False", ["reason"] = reason };

    /// <summary>A JSON number as <see cref="long"/> whatever the node's CLR type (parsed or built), or null.</summary>
    private static long? Num(JsonNode? node) =>
        node is JsonValue value && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? (long)number : null;

    /// <summary>The body as the API server would have parsed it (admission checks JSON types of parsed values).</summary>
    private static JsonObject Parsed(JsonObject body) => JsonNode.Parse(body.ToJsonString())!.AsObject();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "keda controller scaled Deployment {Namespace}/{Name} to {Replicas} for ScaledObject {ScaledObject}")]
        public static partial void Scaled(ILogger logger, string @namespace, string name, int replicas, string scaledObject);

        [LoggerMessage(Level = LogLevel.Debug, Message = "keda controller pass failed: {Reason}")]
        public static partial void ReconcileFailed(ILogger logger, string reason);
    }
}
