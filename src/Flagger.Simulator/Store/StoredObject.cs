using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flagger.Simulator.Store;

/// <summary>
/// One immutable version of an object. <see cref="Node"/> is owned by the store and only read under its lock;
/// <see cref="Json"/> is the serialized form handed to clients without copying.
/// </summary>
internal sealed class StoredObject
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    public StoredObject(JsonObject source, Dictionary<string, HashSet<string>>? managers = null)
    {
        // Re-read from the serialized form so every value is JSON-backed (numbers convert to any numeric type).
        Json = JsonSerializer.SerializeToUtf8Bytes(source);
        var node = JsonNode.Parse(Json)!.AsObject();
        Node = node;
        var meta = node["metadata"] as JsonObject ?? throw new InvalidOperationException("metadata missing");
        Name = (string?)meta["name"] ?? "";
        Namespace = (string?)meta["namespace"];
        Uid = (string?)meta["uid"] ?? "";
        ResourceVersion = long.Parse((string?)meta["resourceVersion"] ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Labels = ReadMap(meta["labels"]);
        Managers = managers;
    }

    public string Name { get; }
    public string? Namespace { get; }
    public string Uid { get; }
    public long ResourceVersion { get; }
    public JsonObject Node { get; }
    public byte[] Json { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Server-side-apply field ownership: manager name → owned field paths (null until first apply).</summary>
    public Dictionary<string, HashSet<string>>? Managers { get; }

    public JsonObject Metadata => (JsonObject)Node["metadata"]!;

    public bool IsDeleting => Metadata["deletionTimestamp"] is not null;

    public IReadOnlyList<string> Finalizers =>
        (Metadata["finalizers"] as JsonArray)?.Select(f => (string?)f ?? "").ToList() ?? [];

    public IEnumerable<string> OwnerUids =>
        (Metadata["ownerReferences"] as JsonArray)?.Select(o => (string?)o?["uid"] ?? "").Where(u => u.Length > 0) ?? [];

    /// <summary>A deep copy of the node that the caller may mutate.</summary>
    public JsonObject CloneNode() => (JsonObject)Node.DeepClone();

    public static IReadOnlyDictionary<string, string> ReadMap(JsonNode? node)
    {
        if (node is not JsonObject map || map.Count == 0)
        {
            return NoLabels;
        }

        var result = new Dictionary<string, string>(map.Count);
        foreach (var (k, v) in map)
        {
            result[k] = v is JsonValue value && value.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
        }

        return result;
    }
}

/// <summary>One entry of a watch stream.</summary>
internal sealed record WatchEvent(string Type, StoredObject Object);

/// <summary>One change kept in the watch window so watches can resume from a resourceVersion.</summary>
internal sealed record ChangeRecord(long ResourceVersion, StoredObject? Old, StoredObject? New, StoredObject Sent, string Type);
