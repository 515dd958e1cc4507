using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Microsoft.Extensions.Logging;

namespace Flagger.Simulator.Workloads;

/// <summary>
/// Plays the Deployment and DaemonSet controllers: a configurable delay after a generation appears, its status gets
/// observedGeneration, replica counts and (for Deployments) Progressing/Available conditions. A pod template
/// annotated <c>simulator.flagger.app/fail-ready: "true"</c> never becomes ready and, for a Deployment, ends in
/// <c>ProgressDeadlineExceeded</c> after <c>spec.progressDeadlineSeconds</c>. Pods are placed on the Node objects
/// (<see cref="Scheduling"/>): a Deployment whose pods fit no node stays unavailable like a failing one, a DaemonSet
/// runs on the fitting nodes only; a Node change re-reconciles the workloads it can affect.
/// </summary>
internal sealed partial class WorkloadController(ClusterStore store, SimulatorOptions options, ILogger<WorkloadController> logger)
{
    public const string FailReadyAnnotation = "simulator.flagger.app/fail-ready";

    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(WatchKindAsync(BuiltinTypes.Deployments, ct), WatchKindAsync(BuiltinTypes.DaemonSets, ct), WatchNodesAsync(ct));
    }

    /// <summary>A node added, labelled, tainted or removed: DaemonSets and placement-constrained Deployments are placed again.</summary>
    private async Task WatchNodesAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var now = store.Read(() => store.List(BuiltinTypes.Nodes, null, LabelSelector.Everything, FieldSelector.Everything).ResourceVersion);
            var watcher = store.Watch(BuiltinTypes.Nodes, null, LabelSelector.Everything, FieldSelector.Everything, now.ToString(CultureInfo.InvariantCulture));
            try
            {
                await foreach (var change in watcher.Channel.Reader.ReadAllAsync(ct))
                {
                    foreach (var (type, ns, name, generation) in change.Type is "ADDED" or "MODIFIED" or "DELETED" ? store.Read(Placed) : [])
                    {
                        _ = ReconcileLaterAsync(type, ns, name, generation, options.WorkloadDelay, ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                store.StopWatch(watcher);
            }
        }
    }

    private List<(ResourceType Type, string? Namespace, string Name, long Generation)> Placed()
    {
        var all = LabelSelector.Everything;
        var none = FieldSelector.Everything;
        return
        [
            .. store.List(BuiltinTypes.DaemonSets, null, all, none).Items.Select(d => (BuiltinTypes.DaemonSets, d.Namespace, d.Name, (long?)d.Metadata["generation"] ?? 1)),
            .. store.List(BuiltinTypes.Deployments, null, all, none).Items
                .Where(d => d.Node["spec"]?["template"]?["spec"] is JsonObject pod && (pod.ContainsKey("nodeSelector") || pod.ContainsKey("affinity") || pod.ContainsKey("tolerations")))
                .Select(d => (BuiltinTypes.Deployments, d.Namespace, d.Name, (long?)d.Metadata["generation"] ?? 1)),
        ];
    }

    private async Task WatchKindAsync(ResourceType type, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var watcher = store.Watch(type, null, LabelSelector.Everything, FieldSelector.Everything, "0");
            try
            {
                await foreach (var evt in watcher.Channel.Reader.ReadAllAsync(ct))
                {
                    if (evt.Type is "ADDED" or "MODIFIED")
                    {
                        var (ns, name, generation, observed) = store.Read(() => (evt.Object.Namespace, evt.Object.Name,
                            (long?)evt.Object.Metadata["generation"] ?? 1, (long?)evt.Object.Node["status"]?["observedGeneration"] ?? 0));
                        if (observed < generation)
                        {
                            _ = ReconcileLaterAsync(type, ns, name, generation, options.WorkloadDelay, ct);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                store.StopWatch(watcher);
            }
        }
    }

    private async Task ReconcileLaterAsync(ResourceType type, string? ns, string name, long generation, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, store.Time, ct);
            var followUp = Reconcile(type, ns, name, generation);
            if (followUp is { } wait)
            {
                await ReconcileLaterAsync(type, ns, name, generation, wait, ct);
            }
        }
        catch (OperationCanceledException)
        {
            // Cluster stopping.
        }
        catch (ApiException)
        {
            // The workload was deleted or changed meanwhile; its newer generation schedules its own pass.
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            // A workload whose fields cannot be read (wrong JSON types) keeps its status; the controller goes on.
            Log.ReconcileFailed(logger, type.Kind, ns ?? "", name, ex);
        }
    }

    /// <summary>Writes the status for one generation; returns when to look again (a pending progress deadline), or null.</summary>
    internal TimeSpan? Reconcile(ResourceType type, string? ns, string name, long generation)
    {
        TimeSpan? followUp = null;
        var nodes = store.List(BuiltinTypes.Nodes, null, LabelSelector.Everything, FieldSelector.Everything).Items;
        store.Patch(type, ns, name, status: true, existing =>
        {
            var current = (long?)existing!.Metadata["generation"] ?? 1;
            var body = existing.CloneNode();
            if (current != generation)
            {
                return (body, existing.Managers);
            }

            var now = store.Time.GetUtcNow();
            var failing = (string?)existing.Node["spec"]?["template"]?["metadata"]?["annotations"]?[FailReadyAnnotation] == "true";
            var oldStatus = existing.Node["status"] as JsonObject;
            var podSpec = existing.Node["spec"]?["template"]?["spec"];
            if (type == BuiltinTypes.Deployments)
            {
                // Pods that fit no node stay Pending: unavailable, like pods that never become ready.
                var pending = Scheduling.FittingNodes(nodes, podSpec, daemon: false) == 0;
                body["status"] = DeploymentStatus(existing, oldStatus, generation, failing || pending, now, out followUp);
            }
            else
            {
                body["status"] = DaemonSetStatus(generation, failing, Scheduling.FittingNodes(nodes, podSpec, daemon: true));
            }

            return (body, existing.Managers);
        });
        return followUp;
    }

    private static JsonObject DeploymentStatus(StoredObject obj, JsonObject? old, long generation, bool failing, DateTimeOffset now, out TimeSpan? followUp)
    {
        followUp = null;
        var spec = obj.Node["spec"]!;
        var desired = (long?)spec["replicas"] ?? 1;
        var deadline = (long?)spec["progressDeadlineSeconds"] ?? 600;
        var rsName = $"{obj.Name}-{PodNames.TemplateHash(spec["template"])}";
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var status = new JsonObject { ["observedGeneration"] = generation };
        JsonObject progressing;
        long ready;
        if (!failing)
        {
            ready = desired;
            SetCount(status, "replicas", desired);
            SetCount(status, "updatedReplicas", desired);
            SetCount(status, "readyReplicas", desired);
            SetCount(status, "availableReplicas", desired);
            progressing = Condition("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.", stamp, old);
        }
        else
        {
            // The previous version keeps serving while the new one never becomes ready.
            var previousReady = Math.Min((long?)old?["availableReplicas"] ?? 0, desired);
            ready = previousReady;
            SetCount(status, "replicas", previousReady + desired);
            SetCount(status, "updatedReplicas", desired);
            SetCount(status, "readyReplicas", previousReady);
            SetCount(status, "availableReplicas", previousReady);
            SetCount(status, "unavailableReplicas", desired);
            var startedText = (string?)FindCondition(old, "Progressing")?["lastUpdateTime"];
            var started = (long?)old?["observedGeneration"] == generation && startedText is not null
                ? DateTimeOffset.Parse(startedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                : now;
            var elapsed = now - started;
            if (elapsed >= TimeSpan.FromSeconds(deadline))
            {
                progressing = Condition("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.", stamp, old);
            }
            else
            {
                progressing = Condition("Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing.", stamp, old);
                progressing["lastUpdateTime"] = started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                followUp = TimeSpan.FromSeconds(deadline) - elapsed + TimeSpan.FromMilliseconds(50);
            }
        }

        var available = ready >= desired - MaxUnavailable(spec, desired)
            ? Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", stamp, old)
            : Condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", stamp, old);
        status["conditions"] = new JsonArray(available, progressing);
        return status;
    }

    private static long MaxUnavailable(JsonNode spec, long desired)
    {
        var value = spec["strategy"]?["rollingUpdate"]?["maxUnavailable"];
        if (value is JsonValue v && v.TryGetValue<long>(out var n))
        {
            return n;
        }

        var text = (string?)value ?? "25%";
        return text.EndsWith('%') && int.TryParse(text[..^1], CultureInfo.InvariantCulture, out var pct) ? desired * pct / 100 : 0;
    }

    private static JsonObject DaemonSetStatus(long generation, bool failing, int nodes)
    {
        var status = new JsonObject
        {
            ["observedGeneration"] = generation,
            ["currentNumberScheduled"] = nodes,
            ["desiredNumberScheduled"] = nodes,
            ["numberMisscheduled"] = 0,
        };
        var ready = failing ? 0 : nodes;
        status["numberReady"] = ready;
        SetCount(status, "updatedNumberScheduled", nodes);
        SetCount(status, "numberAvailable", ready);
        SetCount(status, "numberUnavailable", nodes - ready);
        return status;
    }

    private static void SetCount(JsonObject status, string field, long value)
    {
        // The real API omits zero counts (omitempty).
        if (value != 0)
        {
            status[field] = value;
        }
    }

    private static JsonObject? FindCondition(JsonObject? status, string type) =>
        (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    private static JsonObject Condition(string type, string value, string reason, string message, string now, JsonObject? old)
    {
        var previous = FindCondition(old, type);
        var transition = previous is not null && (string?)previous["status"] == value ? (string?)previous["lastTransitionTime"] ?? now : now;
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = value,
            ["lastUpdateTime"] = now,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "workload controller could not update {Kind} {Namespace}/{Name}")]
        public static partial void ReconcileFailed(ILogger logger, string kind, string @namespace, string name, Exception exception);
    }
}
