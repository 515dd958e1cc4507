using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Api;

/// <summary>Server-side printing (<c>meta.k8s.io/v1 Table</c>) as <c>kubectl get</c> asks for it.</summary>
internal static class Tables
{
    private sealed record Column(string Name, string Type, int Priority, Func<JsonObject, JsonNode?> Cell, string Format = "");

    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> objects, long resourceVersion, string includeObject, DateTimeOffset now)
    {
        var columns = ColumnsFor(type, now);
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            rows.Add(Row(columns, obj, includeObject));
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Name,
                ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = rows,
        };
    }

    private static JsonObject Row(List<Column> columns, JsonObject obj, string includeObject)
    {
        var row = new JsonObject
        {
            ["cells"] = new JsonArray(columns.Select(c => c.Cell(obj)?.DeepClone()).ToArray()),
        };
        if (includeObject == "Object")
        {
            row["object"] = obj.DeepClone();
        }
        else if (includeObject != "None")
        {
            row["object"] = new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = obj["metadata"]?.DeepClone(),
            };
        }

        return row;
    }

    private static JsonNode? At(JsonObject o, string path) => JsonPathLite.Evaluate(o, path).FirstOrDefault();

    private static long Num(JsonObject o, string path) => At(o, path) is JsonValue v && v.TryGetValue<long>(out var n) ? n : 0;

    private static string Str(JsonObject o, string path) => JsonPathLite.Text(At(o, path));

    private static List<Column> ColumnsFor(ResourceType type, DateTimeOffset now)
    {
        var name = new Column("Name", "string", 0, o => o["metadata"]?["name"], "name");
        var age = new Column("Age", "string", 0, o => Age(Str(o, ".metadata.creationTimestamp"), now));
        if (type.IsCustom)
        {
            if (type.PrinterColumns.Count == 0)
            {
                return [name, age];
            }

            return [name, .. type.PrinterColumns.Select(pc => new Column(pc.Name, pc.Type, pc.Priority, o => CustomCell(o, pc), pc.Format ?? ""))];
        }

        return type.Kind switch
        {
            "Deployment" =>
            [
                name,
                new("Ready", "string", 0, o => $"{Num(o, ".status.readyReplicas")}/{Num(o, ".spec.replicas")}"),
                new("Up-to-date", "integer", 0, o => Num(o, ".status.updatedReplicas")),
                new("Available", "integer", 0, o => Num(o, ".status.availableReplicas")),
                age,
                new("Containers", "string", 1, o => string.Join(",", JsonPathLite.Evaluate(o, ".spec.template.spec.containers[*].name").Select(JsonPathLite.Text))),
                new("Images", "string", 1, o => string.Join(",", JsonPathLite.Evaluate(o, ".spec.template.spec.containers[*].image").Select(JsonPathLite.Text))),
                new("Selector", "string", 1, o => string.Join(",", StoredObject.ReadMap(At(o, ".spec.selector.matchLabels")).Select(kv => kv.Key + "=" + kv.Value))),
            ],
            "DaemonSet" =>
            [
                name,
                new("Desired", "integer", 0, o => Num(o, ".status.desiredNumberScheduled")),
                new("Current", "integer", 0, o => Num(o, ".status.currentNumberScheduled")),
                new("Ready", "integer", 0, o => Num(o, ".status.numberReady")),
                new("Up-to-date", "integer", 0, o => Num(o, ".status.updatedNumberScheduled")),
                new("Available", "integer", 0, o => Num(o, ".status.numberAvailable")),
                age,
            ],
            "Service" =>
            [
                name,
                new("Type", "string", 0, o => Str(o, ".spec.type")),
                new("Cluster-IP", "string", 0, o => Str(o, ".spec.clusterIP")),
                new("External-IP", "string", 0, _ => "<none>"),
                new("Port(s)", "string", 0, o => string.Join(",", (At(o, ".spec.ports") as JsonArray ?? []).Select(p => $"{JsonPathLite.Text(p?["port"])}/{JsonPathLite.Text(p?["protocol"])}"))),
                age,
                new("Selector", "string", 1, o => string.Join(",", StoredObject.ReadMap(At(o, ".spec.selector")).Select(kv => kv.Key + "=" + kv.Value))),
            ],
            "Event" =>
            [
                new("Last Seen", "string", 0, o => Age(Str(o, ".lastTimestamp") is { Length: > 0 } t ? t : Str(o, ".eventTime") is { Length: > 0 } e ? e : Str(o, ".metadata.creationTimestamp"), now)),
                new("Type", "string", 0, o => Str(o, ".type")),
                new("Reason", "string", 0, o => Str(o, ".reason")),
                new("Object", "string", 0, o => $"{Str(o, ".involvedObject.kind").ToLowerInvariant()}/{Str(o, ".involvedObject.name")}"),
                new("Message", "string", 0, o => Str(o, ".message")),
                name with { Priority = 1 },
            ],
            "Namespace" => [name, new("Status", "string", 0, o => Str(o, ".status.phase")), age],
            "Node" =>
            [
                name,
                new("Status", "string", 0, o => (Str(o, ".status.conditions[?(@.type==\"Ready\")].status") == "True" ? "Ready" : "NotReady") +
                    (Str(o, ".spec.unschedulable") == "true" ? ",SchedulingDisabled" : "")),
                new("Roles", "string", 0, _ => "<none>"),
                age,
                new("Version", "string", 0, o => Str(o, ".status.nodeInfo.kubeletVersion")),
                new("Internal-IP", "string", 1, o => Str(o, ".status.addresses[?(@.type==\"InternalIP\")].address")),
                new("OS-Image", "string", 1, o => Str(o, ".status.nodeInfo.osImage")),
            ],
            "CustomResourceDefinition" => [name, new("Created At", "date", 0, o => Str(o, ".metadata.creationTimestamp"))],
            "ConfigMap" => [name, new("Data", "integer", 0, o => (o["data"] as JsonObject)?.Count ?? 0), age],
            "Secret" => [name, new("Type", "string", 0, o => Str(o, ".type")), new("Data", "integer", 0, o => (o["data"] as JsonObject)?.Count ?? 0), age],
            "Lease" => [name, new("Holder", "string", 0, o => Str(o, ".spec.holderIdentity")), age],
            _ => [name, age],
        };
    }

    private static JsonNode? CustomCell(JsonObject o, PrinterColumn column)
    {
        var values = JsonPathLite.Evaluate(o, column.JsonPath);
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            return string.Join(",", values.Select(JsonPathLite.Text));
        }

        var value = values[0];
        return column.Type switch
        {
            "string" or "date" => JsonPathLite.Text(value),
            _ => value.DeepClone(),
        };
    }

    /// <summary>Human duration as kubectl prints ages (5s, 3m2s, 7h, 2d3h).</summary>
    public static string Age(string timestamp, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return "<unknown>";
        }

        var d = now - at;
        if (d < TimeSpan.Zero)
        {
            d = TimeSpan.Zero;
        }

        return d.TotalSeconds switch
        {
            < 120 => $"{(int)d.TotalSeconds}s",
            < 600 => $"{(int)d.TotalMinutes}m{d.Seconds}s",
            < 3 * 3600 => $"{(int)d.TotalMinutes}m",
            < 8 * 3600 => $"{(int)d.TotalHours}h{d.Minutes}m",
            < 48 * 3600 => $"{(int)d.TotalHours}h",
            < 8 * 86400 => $"{(int)d.TotalDays}d{d.Hours}h",
            _ => $"{(int)d.TotalDays}d",
        };
    }
}
