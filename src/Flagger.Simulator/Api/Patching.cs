using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Api;

/// <summary>JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes strategic merge patch.</summary>
internal static class Patching
{
    // ---- merge patch ----

    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject is { } t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }

        return result;
    }

    // ---- JSON patch ----

    public static JsonNode JsonPatch(JsonNode target, JsonNode? patch)
    {
        if (patch is not JsonArray ops)
        {
            throw ApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch: a JSON patch must be an array of operations");
        }

        var doc = target.DeepClone();
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i] is not JsonObject op)
            {
                throw ApiException.BadRequest($"json patch operation {i} is not an object");
            }

            var kind = (string?)op["op"] ?? throw ApiException.BadRequest($"json patch operation {i}: missing 'op'");
            var path = (string?)op["path"] ?? throw ApiException.BadRequest($"json patch operation {i}: missing 'path'");
            switch (kind)
            {
                case "add":
                    doc = Add(doc, path, Value(op, i));
                    break;
                case "remove":
                    doc = Remove(doc, path, out _);
                    break;
                case "replace":
                    doc = Remove(doc, path, out _);
                    doc = Add(doc, path, Value(op, i));
                    break;
                case "move":
                {
                    var from = (string?)op["from"] ?? throw ApiException.BadRequest($"json patch operation {i}: missing 'from'");
                    doc = Remove(doc, from, out var moved);
                    doc = Add(doc, path, moved);
                    break;
                }

                case "copy":
                {
                    var from = (string?)op["from"] ?? throw ApiException.BadRequest($"json patch operation {i}: missing 'from'");
                    doc = Add(doc, path, Resolve(doc, from)?.DeepClone());
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Resolve(doc, path), op["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"json patch operation {i}: unexpected op \"{kind}\"");
            }
        }

        return doc;
    }

    private static JsonNode? Value(JsonObject op, int i) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw ApiException.BadRequest($"json patch operation {i}: missing 'value'");

    private static List<string> Pointer(string path)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (path[0] != '/')
        {
            throw ApiException.BadRequest($"json patch: invalid path \"{path}\": must start with '/'");
        }

        return path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static ApiException Missing(string path) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: jsonpatch: path {path} does not exist");

    private static JsonNode? Resolve(JsonNode doc, string path)
    {
        JsonNode? current = doc;
        foreach (var seg in Pointer(path))
        {
            current = current switch
            {
                JsonObject o when o.TryGetPropertyValue(seg, out var v) => v,
                JsonArray a when int.TryParse(seg, out var idx) && idx >= 0 && idx < a.Count => a[idx],
                _ => throw Missing(path),
            };
        }

        return current;
    }

    private static JsonNode Add(JsonNode doc, string path, JsonNode? value)
    {
        var segs = Pointer(path);
        if (segs.Count == 0)
        {
            return value ?? throw ApiException.BadRequest("json patch: cannot replace the root with null");
        }

        var parent = segs.Count == 1 ? doc : Resolve(doc, "/" + string.Join('/', segs.Take(segs.Count - 1).Select(Escape))) ?? throw Missing(path);

        var last = segs[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                if (last == "-")
                {
                    a.Add(value);
                }
                else if (int.TryParse(last, out var idx) && idx >= 0 && idx <= a.Count)
                {
                    a.Insert(idx, value);
                }
                else
                {
                    throw Missing(path);
                }

                break;
            default:
                throw Missing(path);
        }

        return doc;
    }

    private static JsonNode Remove(JsonNode doc, string path, out JsonNode? removed)
    {
        var segs = Pointer(path);
        if (segs.Count == 0)
        {
            throw ApiException.BadRequest("json patch: cannot remove the root");
        }

        var parent = segs.Count == 1 ? doc : Resolve(doc, "/" + string.Join('/', segs.Take(segs.Count - 1).Select(Escape)));
        var last = segs[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var v):
                removed = v;
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var idx) && idx >= 0 && idx < a.Count:
                removed = a[idx];
                a.RemoveAt(idx);
                break;
            default:
                throw Missing(path);
        }

        return doc;
    }

    private static string Escape(string s) => s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    // ---- strategic merge patch ----

    /// <summary>The merge key of a list field (null: atomic list), following the Kubernetes API types.</summary>
    public static string? MergeKey(string field, JsonArray? a, JsonArray? b) => field switch
    {
        "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ownerReferences" => "uid",
        "conditions" => "type",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "readinessGates" => "conditionType",
        "resourceClaims" => "name",
        "ports" => (a ?? []).Concat(b ?? []).Any(p => p?["containerPort"] is not null) ? "containerPort" : "port",
        _ => null,
    };

    private static bool IsPrimitiveMergeList(string field) => field is "finalizers";

    public static JsonNode? StrategicMerge(JsonNode? original, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }

        switch ((string?)p["$patch"])
        {
            case "replace":
            {
                var copy = (JsonObject)p.DeepClone();
                copy.Remove("$patch");
                return copy;
            }

            case "delete":
                return null;
            case null:
                break;
            default:
                throw ApiException.BadRequest($"$patch: Unsupported value: \"{(string?)p["$patch"]}\": supported values: \"replace\", \"delete\", \"merge\"");
        }

        var result = original is JsonObject o ? (JsonObject)o.DeepClone() : new JsonObject();
        var orders = new Dictionary<string, JsonArray>();
        JsonArray? retainKeys = null;
        foreach (var (key, value) in p)
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal))
            {
                orders[key["$setElementOrder/".Length..]] = value as JsonArray ?? throw ApiException.BadRequest($"{key}: Invalid value: must be a list");
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (value is not JsonArray)
                {
                    throw ApiException.BadRequest($"{key}: Invalid value: must be a list");
                }

                if (result[field] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var item in list.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList())
                    {
                        list.Remove(item);
                    }
                }

                continue;
            }

            if (key == "$retainKeys")
            {
                retainKeys = value as JsonArray ?? throw ApiException.BadRequest("$retainKeys: Invalid value: must be a list");
                continue;
            }

            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject)
            {
                var merged = StrategicMerge(result[key], value);
                if (merged is null)
                {
                    result.Remove(key);
                }
                else
                {
                    result[key] = merged;
                }
            }
            else if (value is JsonArray array)
            {
                result[key] = MergeList(result[key] as JsonArray, array, key);
            }
            else
            {
                result[key] = value.DeepClone();
            }
        }

        foreach (var (field, order) in orders)
        {
            if (result[field] is JsonArray list && MergeKey(field, list, null) is { } mk)
            {
                var ordered = order.Select(e => list.FirstOrDefault(i => JsonNode.DeepEquals(i?[mk], e?[mk]))).Where(i => i is not null).ToList();
                var rest = list.Where(i => !ordered.Contains(i)).ToList();
                result[field] = new JsonArray(ordered.Concat(rest).Select(i => i!.DeepClone()).ToArray());
            }
        }

        if (retainKeys is not null)
        {
            var keep = retainKeys.Select(k => (string?)k).ToHashSet();
            foreach (var key in result.Select(kv => kv.Key).ToList())
            {
                if (!keep.Contains(key))
                {
                    result.Remove(key);
                }
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray? original, JsonArray patch, string field)
    {
        if (patch.Any(i => i is JsonObject io && (string?)io["$patch"] == "replace"))
        {
            return new JsonArray(patch.Where(i => !(i is JsonObject io && (string?)io["$patch"] == "replace")).Select(i => StripDirectives(i?.DeepClone())).ToArray());
        }

        if (IsPrimitiveMergeList(field))
        {
            var union = original is null ? new JsonArray() : (JsonArray)original.DeepClone();
            foreach (var item in patch)
            {
                if (!union.Any(u => JsonNode.DeepEquals(u, item)))
                {
                    union.Add(item?.DeepClone());
                }
            }

            return union;
        }

        var key = MergeKey(field, original, patch);
        if (key is null || patch.Any(i => i is not JsonObject))
        {
            return new JsonArray(patch.Select(i => StripDirectives(i?.DeepClone())).ToArray());
        }

        var result = original is null ? new JsonArray() : (JsonArray)original.DeepClone();
        foreach (var item in patch.OfType<JsonObject>())
        {
            var id = item[key];
            var index = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (JsonNode.DeepEquals(result[i]?[key], id))
                {
                    index = i;
                    break;
                }
            }

            if ((string?)item["$patch"] == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                result[index] = StrategicMerge(result[index], item);
            }
            else
            {
                result.Add(StripDirectives(item.DeepClone()));
            }
        }

        return result;
    }

    private static JsonNode? StripDirectives(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(kv => kv.Key).Where(k => k.StartsWith('$')).ToList())
            {
                o.Remove(key);
            }

            foreach (var (_, v) in o.ToList())
            {
                StripDirectives(v);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a)
            {
                StripDirectives(item);
            }
        }

        return node;
    }
}
