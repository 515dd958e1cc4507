using System.Text.Json.Nodes;

namespace Flagger.Simulator.Store;

/// <summary>A parsed Kubernetes label selector (<c>=, ==, !=, in, notin, key, !key</c>).</summary>
internal sealed class LabelSelector
{
    private enum Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }

    private sealed record Requirement(string Key, Op Op, string[] Values);

    private readonly List<Requirement> requirements = [];

    public static readonly LabelSelector Everything = new();

    public bool IsEmpty => requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in SplitTopLevel(text))
        {
            selector.requirements.Add(ParseRequirement(part.Trim(), text));
        }

        return selector;
    }

    /// <summary>Builds a selector from a <c>matchLabels</c>-only map.</summary>
    public static LabelSelector FromMap(IReadOnlyDictionary<string, string> labels)
    {
        var selector = new LabelSelector();
        foreach (var (k, v) in labels)
        {
            selector.requirements.Add(new Requirement(k, Op.Equals, [v]));
        }

        return selector;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in requirements)
        {
            var has = labels.TryGetValue(r.Key, out var value);
            var ok = r.Op switch
            {
                Op.Equals => has && value == r.Values[0],
                Op.NotEquals => !has || value != r.Values[0],
                Op.In => has && r.Values.Contains(value),
                Op.NotIn => !has || !r.Values.Contains(value),
                Op.Exists => has,
                Op.DoesNotExist => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseRequirement(string part, string whole)
    {
        if (part.Length == 0)
        {
            throw ApiException.BadRequest($"unable to parse requirement: found empty requirement in labelSelector \"{whole}\"");
        }

        if (part.StartsWith('!'))
        {
            return new Requirement(ValidKey(part[1..].Trim(), whole), Op.DoesNotExist, []);
        }

        var ne = part.IndexOf("!=", StringComparison.Ordinal);
        if (ne > 0)
        {
            return new Requirement(ValidKey(part[..ne].Trim(), whole), Op.NotEquals, [ValidValue(part[(ne + 2)..].Trim(), whole)]);
        }

        var eq = part.IndexOf('=');
        if (eq > 0)
        {
            var valueStart = eq + 1 < part.Length && part[eq + 1] == '=' ? eq + 2 : eq + 1;
            return new Requirement(ValidKey(part[..eq].Trim(), whole), Op.Equals, [ValidValue(part[valueStart..].Trim(), whole)]);
        }

        var paren = part.IndexOf('(');
        if (paren > 0)
        {
            if (!part.EndsWith(')'))
            {
                throw ApiException.BadRequest($"unable to parse requirement: found '{part}', expected: ')' in labelSelector \"{whole}\"");
            }

            var head = part[..paren].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (head.Length != 2 || (head[1] != "in" && head[1] != "notin"))
            {
                throw ApiException.BadRequest($"unable to parse requirement: found '{part}', expected: in, notin in labelSelector \"{whole}\"");
            }

            var values = part[(paren + 1)..^1].Split(',').Select(v => ValidValue(v.Trim(), whole)).ToArray();
            return new Requirement(ValidKey(head[0], whole), head[1] == "in" ? Op.In : Op.NotIn, values);
        }

        if (part.Contains(' '))
        {
            throw ApiException.BadRequest($"unable to parse requirement: found '{part}', expected: '=', '!=', '==', 'in', notin' in labelSelector \"{whole}\"");
        }

        return new Requirement(ValidKey(part, whole), Op.Exists, []);
    }

    private static string ValidKey(string key, string whole)
    {
        var slash = key.LastIndexOf('/');
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        if (name.Length == 0 || name.Length > 63 || !IsQualifiedNameChars(name))
        {
            throw ApiException.BadRequest($"unable to parse requirement: invalid label key \"{key}\" in labelSelector \"{whole}\": name part must consist of alphanumeric characters, '-', '_' or '.'");
        }

        return key;
    }

    private static string ValidValue(string value, string whole)
    {
        if (value.Length > 63 || (value.Length > 0 && !IsQualifiedNameChars(value)))
        {
            throw ApiException.BadRequest($"unable to parse requirement: invalid label value: \"{value}\" in labelSelector \"{whole}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'");
        }

        return value;
    }

    private static bool IsQualifiedNameChars(string s) =>
        char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1]) &&
        s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>A parsed field selector (<c>=, ==, !=</c>) over the fields a kind supports.</summary>
internal sealed class FieldSelector
{
    private sealed record Requirement(string Field, bool Equal, string Value);

    private readonly List<Requirement> requirements = [];

    public static readonly FieldSelector Everything = new();

    public bool IsEmpty => requirements.Count == 0;

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            string field;
            string value;
            bool equal;
            var ne = part.IndexOf("!=", StringComparison.Ordinal);
            var eq = part.IndexOf('=');
            if (ne > 0)
            {
                field = part[..ne];
                value = part[(ne + 2)..];
                equal = false;
            }
            else if (eq > 0)
            {
                field = part[..eq];
                value = part[(eq + 1)..].TrimStart('=');
                equal = true;
            }
            else
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            }

            field = field.Trim();
            if (field != "metadata.name" && field != "metadata.namespace" && !type.ExtraFieldSelectors.Contains(field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            selector.requirements.Add(new Requirement(field, equal, value.Trim()));
        }

        return selector;
    }

    public bool Matches(StoredObject obj)
    {
        foreach (var r in requirements)
        {
            var actual = r.Field switch
            {
                "metadata.name" => obj.Name,
                "metadata.namespace" => obj.Namespace ?? "",
                "source" => Lookup(obj.Node, "source.component"),
                _ => Lookup(obj.Node, r.Field),
            };
            if ((actual == r.Value) != r.Equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string Lookup(JsonObject node, string path)
    {
        JsonNode? current = node;
        foreach (var segment in path.Split('.'))
        {
            current = (current as JsonObject)?[segment];
        }

        return current switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => current.ToJsonString(),
        };
    }
}
