using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Flagger.Simulator.Api;

/// <summary>Parses request bodies (JSON, or YAML for apply patches) into JSON nodes; bad input is a 400 with the parse error.</summary>
internal static class BodyParser
{
    public static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded as JSON: {ex.Message}");
        }
    }

    public static JsonObject ParseObject(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiException.BadRequest("the request body is empty: an object is required");
        }

        return ParseJson(text) as JsonObject ?? throw ApiException.BadRequest("the body of the request must be a JSON object");
    }

    /// <summary>YAML (a superset of JSON) as sent with <c>application/apply-patch+yaml</c>.</summary>
    public static JsonObject ParseYamlObject(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiException.BadRequest("the request body is empty: an object is required");
        }

        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            return ParseObject(text);
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || Convert(stream.Documents[0].RootNode) is not JsonObject obj)
            {
                throw ApiException.BadRequest("the body of the request must be a YAML mapping");
            }

            return obj;
        }
        catch (YamlException ex)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: yaml: line {ex.Start.Line}: {ex.Message}");
        }
    }

    /// <summary>Every document of a multi-document YAML (or a single JSON object); empty documents are skipped.</summary>
    public static List<JsonObject> ParseYamlDocuments(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Select(d => Convert(d.RootNode)).OfType<JsonObject>().ToList();
        }
        catch (YamlException ex)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: yaml: line {ex.Start.Line}: {ex.Message}");
        }
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Any(char.IsDigit))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(value);
    }
}
