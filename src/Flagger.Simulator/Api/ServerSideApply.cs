using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Api;

/// <summary>
/// Server-side apply with field ownership per manager: conflicts with other managers' differing values (409 unless
/// <c>force</c>), removal of fields a manager stopped applying, and merging of lists by their merge keys.
/// </summary>
internal static class ServerSideApply
{
    private const char Sep = '\u001f';
    private const char KeyMark = '\u001e';

    public static (JsonObject Result, Dictionary<string, HashSet<string>> Managers) Apply(
        ResourceType type, StoredObject? live, JsonObject applied, string manager, bool force)
    {
        var newPaths = new HashSet<string>(StringComparer.Ordinal);
        CollectRoot(applied, type, newPaths);
        var managers = live?.Managers is { } m
            ? m.ToDictionary(kv => kv.Key, kv => new HashSet<string>(kv.Value, StringComparer.Ordinal))
            : new Dictionary<string, HashSet<string>>();
        if (live is null)
        {
            managers[manager] = newPaths;
            return ((JsonObject)applied.DeepClone(), managers);
        }

        var conflicts = new List<(string Manager, string Path)>();
        foreach (var (other, owned) in managers)
        {
            if (other == manager)
            {
                continue;
            }

            foreach (var path in newPaths.Where(owned.Contains))
            {
                if (!JsonNode.DeepEquals(GetAt(live.Node, path), GetAt(applied, path)))
                {
                    conflicts.Add((other, path));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            var causes = new JsonArray(conflicts.Select(c => (JsonNode?)new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with \"{c.Manager}\"",
                ["field"] = Display(c.Path),
            }).ToArray());
            var text = string.Join("\n", conflicts.Select(c => $"- {c.Manager}: {Display(c.Path)}"));
            throw new ApiException(409, "Conflict", $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}: {text}",
                new JsonObject { ["name"] = live.Name, ["group"] = type.Group, ["kind"] = type.Plural, ["causes"] = causes });
        }

        foreach (var (other, owned) in managers)
        {
            if (other != manager)
            {
                owned.ExceptWith(newPaths);
            }
        }

        var merged = type.IsCustom ? Patching.MergePatch(live.Node, applied) : Patching.StrategicMerge(live.Node, applied);
        var result = (JsonObject)merged!;
        if (managers.TryGetValue(manager, out var previous))
        {
            foreach (var path in previous.Where(p => !newPaths.Contains(p) && !managers.Any(kv => kv.Key != manager && kv.Value.Contains(p))))
            {
                RemoveAt(result, path);
            }
        }

        managers[manager] = newPaths;
        foreach (var empty in managers.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList())
        {
            managers.Remove(empty);
        }

        return (result, managers);
    }

    /// <summary>After a non-apply write, the fields it changed belong to <paramref name="manager"/> (null when nothing is tracked).</summary>
    public static Dictionary<string, HashSet<string>>? RecordUpdate(ResourceType type, StoredObject existing, JsonObject next, string manager)
    {
        if (existing.Managers is null)
        {
            return null;
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        CollectRoot(next, type, paths);
        var changed = paths.Where(p => !JsonNode.DeepEquals(GetAt(existing.Node, p), GetAt(next, p))).ToList();
        var managers = existing.Managers.ToDictionary(kv => kv.Key, kv => new HashSet<string>(kv.Value, StringComparer.Ordinal));
        if (changed.Count == 0)
        {
            return managers;
        }

        foreach (var set in managers.Values)
        {
            set.ExceptWith(changed);
        }

        if (!managers.TryGetValue(manager, out var mine))
        {
            managers[manager] = mine = new HashSet<string>(StringComparer.Ordinal);
        }

        mine.UnionWith(changed);
        return managers;
    }

    private static void CollectRoot(JsonObject obj, ResourceType type, HashSet<string> paths)
    {
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" || value is null)
            {
                continue;
            }

            if (key == "metadata")
            {
                foreach (var metaKey in new[] { "labels", "annotations", "finalizers", "ownerReferences" })
                {
                    if (value[metaKey] is { } metaValue)
                    {
                        Collect(metaValue, metaKey, "metadata" + Sep + metaKey, type, paths);
                    }
                }

                continue;
            }

            Collect(value, key, key, type, paths);
        }
    }

    private static void Collect(JsonNode node, string field, string prefix, ResourceType type, HashSet<string> paths)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (key, value) in o)
                {
                    if (value is not null && !key.StartsWith('$'))
                    {
                        Collect(value, key, prefix + Sep + key, type, paths);
                    }
                }

                break;
            case JsonArray a when !type.IsCustom && Patching.MergeKey(field, a, null) is { } mk && a.Count > 0 && a.All(i => i?[mk] is not null):
                foreach (var item in a.OfType<JsonObject>())
                {
                    Collect(item, field, prefix + Sep + KeyMark + mk + "=" + item[mk]!.ToJsonString(), type, paths);
                }

                break;
            default:
                paths.Add(prefix);
                break;
        }
    }

    private static JsonNode? GetAt(JsonNode? node, string path)
    {
        foreach (var seg in path.Split(Sep))
        {
            node = Step(node, seg);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private static JsonNode? Step(JsonNode? node, string seg)
    {
        if (seg[0] == KeyMark)
        {
            var eq = seg.IndexOf('=');
            var key = seg[1..eq];
            var value = JsonNode.Parse(seg[(eq + 1)..]);
            return (node as JsonArray)?.FirstOrDefault(i => JsonNode.DeepEquals(i?[key], value));
        }

        return (node as JsonObject)?[seg];
    }

    private static void RemoveAt(JsonObject root, string path)
    {
        var segs = path.Split(Sep);
        JsonNode? parent = root;
        foreach (var seg in segs[..^1])
        {
            parent = Step(parent, seg);
        }

        var last = segs[^1];
        if (last[0] == KeyMark && parent is JsonArray array && Step(parent, last) is { } item)
        {
            array.Remove(item);
        }
        else if (parent is JsonObject o)
        {
            o.Remove(last);
        }
    }

    private static string Display(string path) =>
        "." + string.Join(".", path.Split(Sep).Select(s => s[0] == KeyMark ? "[" + s[1..] + "]" : s)).Replace(".[", "[", StringComparison.Ordinal);
}
