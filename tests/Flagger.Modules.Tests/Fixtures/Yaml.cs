using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Flagger.Modules.Tests.Fixtures;

/// <summary>
/// Reads YAML into <see cref="JsonNode"/>s the way kubectl does before sending JSON to the API server: plain scalars
/// resolve to null, booleans, integers and floats (YAML 1.2 core schema), quoted scalars stay strings, anchors expand.
/// </summary>
internal static partial class Yaml
{
    /// <summary>Every non-empty document of <paramref name="text"/>, each with the comment lines that precede it.</summary>
    public static IReadOnlyList<YamlDocumentNode> ReadDocuments(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var headers = SplitHeaders(text);
        var result = new List<YamlDocumentNode>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            if (root is YamlScalarNode { Value: null or "" })
            {
                continue;
            }

            result.Add(new YamlDocumentNode(ToJson(root), i < headers.Count ? headers[i] : []));
        }

        return result;
    }

    /// <summary>Converts one YAML node to JSON.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (value is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(value))
        {
            return JsonValue.Create(long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }

        if (FloatPattern().IsMatch(value))
        {
            return JsonNode.Parse(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(value);
    }

    // Comment lines directly before each document ("# expect: ..." headers of the broken fixtures).
    private static List<IReadOnlyList<string>> SplitHeaders(string text)
    {
        var docs = new List<IReadOnlyList<string>>();
        var current = new List<string>();
        var seenContent = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimEnd() == "---")
            {
                if (seenContent)
                {
                    docs.Add(current);
                }

                current = [];
                seenContent = false;
                continue;
            }

            if (line.StartsWith('#') && !seenContent)
            {
                current.Add(line.TrimStart('#').Trim());
            }
            else if (line.Trim().Length > 0)
            {
                seenContent = true;
            }
        }

        if (seenContent)
        {
            docs.Add(current);
        }

        return docs;
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

/// <summary>One YAML document as JSON, with its leading comment lines.</summary>
internal sealed record YamlDocumentNode(JsonNode? Json, IReadOnlyList<string> Comments);
