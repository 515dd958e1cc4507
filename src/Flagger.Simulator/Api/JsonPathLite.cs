using System.Text.Json.Nodes;

namespace Flagger.Simulator.Api;

/// <summary>
/// The subset of Kubernetes JSONPath used by printer columns: <c>.a.b</c>, <c>.a[0]</c>, <c>.a[*]</c> and
/// <c>.a[?(@.type=="Ready")].status</c>.
/// </summary>
internal static class JsonPathLite
{
    public static List<JsonNode> Evaluate(JsonNode? root, string path)
    {
        var current = new List<JsonNode>();
        if (root is not null)
        {
            current.Add(root);
        }

        var p = path.Trim();
        if (p.StartsWith('{') && p.EndsWith('}'))
        {
            p = p[1..^1];
        }

        if (p.StartsWith('$'))
        {
            p = p[1..];
        }

        var i = 0;
        while (i < p.Length && current.Count > 0)
        {
            if (p[i] == '.')
            {
                i++;
                var start = i;
                while (i < p.Length && p[i] != '.' && p[i] != '[')
                {
                    i++;
                }

                var name = p[start..i];
                if (name.Length == 0)
                {
                    continue;
                }

                current = current.Select(n => (n as JsonObject)?[name]).OfType<JsonNode>().ToList();
            }
            else if (p[i] == '[')
            {
                var end = FindClose(p, i);
                var inner = p[(i + 1)..end];
                i = end + 1;
                current = Index(current, inner);
            }
            else
            {
                return [];
            }
        }

        return current;
    }

    private static int FindClose(string p, int open)
    {
        var depth = 0;
        var quoted = false;
        for (var i = open; i < p.Length; i++)
        {
            if (p[i] is '"' or '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && p[i] == '[')
            {
                depth++;
            }
            else if (!quoted && p[i] == ']' && --depth == 0)
            {
                return i;
            }
        }

        return p.Length - 1;
    }

    private static List<JsonNode> Index(List<JsonNode> nodes, string inner)
    {
        var result = new List<JsonNode>();
        foreach (var node in nodes)
        {
            if (node is not JsonArray array)
            {
                if (node is JsonObject o && inner.Trim('\'', '"') is var key && o[key] is { } v)
                {
                    result.Add(v);
                }

                continue;
            }

            if (inner == "*")
            {
                result.AddRange(array.OfType<JsonNode>());
            }
            else if (int.TryParse(inner, out var idx))
            {
                if (idx < 0)
                {
                    idx += array.Count;
                }

                if (idx >= 0 && idx < array.Count && array[idx] is { } item)
                {
                    result.Add(item);
                }
            }
            else if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
            {
                var filter = inner[2..^1];
                var eq = filter.IndexOf("==", StringComparison.Ordinal);
                if (eq < 0)
                {
                    var field = filter.Trim().TrimStart('@');
                    result.AddRange(array.OfType<JsonNode>().Where(i => Evaluate(i, field).Count > 0));
                    continue;
                }

                var left = filter[..eq].Trim().TrimStart('@');
                var right = filter[(eq + 2)..].Trim().Trim('"', '\'');
                result.AddRange(array.OfType<JsonNode>().Where(i => Evaluate(i, left).Any(v => Text(v) == right)));
            }
        }

        return result;
    }

    public static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
