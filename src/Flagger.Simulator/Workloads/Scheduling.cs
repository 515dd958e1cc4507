using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Workloads;

/// <summary>
/// The scheduler's filter step against the cluster's Node objects: a pod template fits a node when its
/// <c>nodeSelector</c> and required node affinity match the node's labels (and name), every NoSchedule/NoExecute taint
/// is tolerated, and (except for DaemonSet pods) the node is schedulable.
/// </summary>
// upstream: kubernetes pkg/scheduler/framework/plugins/{nodeaffinity,tainttoleration,nodeunschedulable}
internal static class Scheduling
{
    /// <summary>The Node object the simulator starts with, one per <c>--nodes</c>.</summary>
    public static JsonObject NodeObject(int index, DateTimeOffset now)
    {
        var name = $"sim-node-{index}";
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                },
            },
            ["spec"] = new JsonObject { ["podCIDR"] = $"10.244.{index}.0/24" },
            ["status"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["cpu"] = "4", ["memory"] = "16Gi", ["pods"] = "110" },
                ["allocatable"] = new JsonObject { ["cpu"] = "4", ["memory"] = "16Gi", ["pods"] = "110" },
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady", ["message"] = "kubelet is posting ready status",
                    ["lastHeartbeatTime"] = stamp, ["lastTransitionTime"] = stamp,
                }),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = $"10.0.0.{index + 1}" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = name }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = "v1.32.0", ["operatingSystem"] = "linux", ["architecture"] = "amd64",
                    ["containerRuntimeVersion"] = "simulated://1.0", ["osImage"] = "flagger-simulator",
                },
            },
        };
    }

    /// <summary>How many of <paramref name="nodes"/> a pod with <paramref name="podSpec"/> fits.</summary>
    public static int FittingNodes(IEnumerable<StoredObject> nodes, JsonNode? podSpec, bool daemon) =>
        nodes.Count(n => Fits(n, podSpec, daemon));

    public static bool Fits(StoredObject node, JsonNode? podSpec, bool daemon)
    {
        if (!daemon && (bool?)node.Node["spec"]?["unschedulable"] == true && !Tolerates(podSpec, "node.kubernetes.io/unschedulable", "", "NoSchedule"))
        {
            return false;
        }

        if (StoredObject.ReadMap(podSpec?["nodeSelector"]).Any(kv => !node.Labels.TryGetValue(kv.Key, out var v) || v != kv.Value))
        {
            return false;
        }

        if (podSpec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] is JsonArray terms &&
            !terms.OfType<JsonObject>().Any(term => TermMatches(term, node)))
        {
            return false;
        }

        return (node.Node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(t => (string?)t["effect"] is "NoSchedule" or "NoExecute")
            .All(t => Tolerates(podSpec, (string?)t["key"] ?? "", (string?)t["value"] ?? "", (string?)t["effect"] ?? ""));
    }

    /// <summary>A term's expressions and fields all match (an empty term matches nothing, as upstream).</summary>
    private static bool TermMatches(JsonObject term, StoredObject node)
    {
        var expressions = (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var fields = (term["matchFields"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false;
        }

        var nodeFields = new Dictionary<string, string> { ["metadata.name"] = node.Name };
        return expressions.All(e => Requirement(e, node.Labels)) && fields.All(f => Requirement(f, nodeFields));
    }

    private static bool Requirement(JsonObject requirement, IReadOnlyDictionary<string, string> labels)
    {
        var key = (string?)requirement["key"] ?? "";
        var values = (requirement["values"] as JsonArray ?? []).Select(v => (string?)v).ToList();
        var present = labels.TryGetValue(key, out var value);
        return (string?)requirement["operator"] switch
        {
            "In" => present && values.Contains(value),
            "NotIn" => !present || !values.Contains(value),
            "Exists" => present,
            "DoesNotExist" => !present,
            "Gt" => present && Compare(value!, values) > 0,
            "Lt" => present && Compare(value!, values) < 0,
            _ => false,
        };
    }

    private static int Compare(string value, List<string?> values) =>
        long.TryParse(value, CultureInfo.InvariantCulture, out var left) && values is [var only] && long.TryParse(only, CultureInfo.InvariantCulture, out var right)
            ? left.CompareTo(right)
            : 0;

    private static bool Tolerates(JsonNode? podSpec, string key, string value, string effect) =>
        (podSpec?["tolerations"] as JsonArray ?? []).OfType<JsonObject>().Any(t =>
        {
            var tolerationEffect = (string?)t["effect"] ?? "";
            if (tolerationEffect.Length > 0 && tolerationEffect != effect)
            {
                return false;
            }

            var tolerationKey = (string?)t["key"] ?? "";
            if ((string?)t["operator"] == "Exists")
            {
                return tolerationKey.Length == 0 || tolerationKey == key;
            }

            return tolerationKey == key && ((string?)t["value"] ?? "") == value;
        });
}
