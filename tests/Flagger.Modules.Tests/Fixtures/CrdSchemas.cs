using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Flagger.Modules.Tests.Fixtures;

/// <summary>
/// Our CRDs (<c>deploy/crds/*.yaml</c>) as JSON Schemas that validate like a strict API server: structural-schema
/// extensions are translated (<c>x-kubernetes-int-or-string</c>, <c>x-kubernetes-preserve-unknown-fields</c>,
/// <c>nullable</c>) and unknown fields are errors.
/// </summary>
internal sealed class CrdSchemas
{
    private static readonly Lazy<CrdSchemas> Ours = new(() => Load(RepoPaths.Crds));
    private readonly Dictionary<(string ApiVersion, string Kind), (JsonSchema Schema, JsonObject Structural)> schemas;

    private CrdSchemas(Dictionary<(string, string), (JsonSchema, JsonObject)> schemas) => this.schemas = schemas;

    /// <summary>The schemas of <c>deploy/crds</c>.</summary>
    public static CrdSchemas Repository => Ours.Value;

    /// <summary>(apiVersion, kind) of every loaded CRD version.</summary>
    public IReadOnlyCollection<(string ApiVersion, string Kind)> Kinds => schemas.Keys;

    /// <summary>The raw structural <c>openAPIV3Schema</c> of a kind.</summary>
    public JsonObject Structural(string apiVersion, string kind) => schemas[(apiVersion, kind)].Structural;

    public static CrdSchemas Load(string directory)
    {
        var result = new Dictionary<(string, string), (JsonSchema, JsonObject)>();
        foreach (var file in Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var doc in Yaml.ReadDocuments(File.ReadAllText(file)))
            {
                if (doc.Json is not JsonObject crd || (string?)crd["kind"] != "CustomResourceDefinition")
                {
                    continue;
                }

                var spec = crd["spec"]!;
                var group = (string)spec["group"]!;
                var kind = (string)spec["names"]!["kind"]!;
                foreach (var version in spec["versions"]!.AsArray())
                {
                    var structural = version!["schema"]!["openAPIV3Schema"]!.AsObject();
                    var apiVersion = $"{group}/{(string)version["name"]!}";
                    var jsonSchema = ToJsonSchema(structural);
                    var baseUri = new Uri($"https://crds.flagger.local/{group}/{(string)version["name"]!}/{kind}");
                    var schema = JsonSchema.FromText(jsonSchema.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, baseUri);
                    result[(apiVersion, kind)] = (schema, structural);
                }
            }
        }

        return new CrdSchemas(result);
    }

    /// <summary>
    /// Translates a Kubernetes structural schema into a JSON Schema with strict unknown-field handling: objects with
    /// <c>properties</c> get <c>additionalProperties: false</c> unless they preserve unknown fields; int-or-string
    /// becomes <c>anyOf [integer, string]</c>; <c>nullable</c> adds <c>null</c> to the type; Kubernetes-only keywords
    /// (<c>x-kubernetes-*</c>) and <c>format</c> (annotations only for the API server) are dropped. CEL rules
    /// (<c>x-kubernetes-validations</c>) are not evaluated here; CanaryValidator checks the one our CRD carries.
    /// </summary>
    public static JsonObject ToJsonSchema(JsonObject structural)
    {
        var copy = structural.DeepClone().AsObject();
        Translate(copy);
        return copy;
    }

    /// <summary>Validates one object; returns errors as <c>(path, message)</c>, path like <c>spec.analysis.stepWeights[0]</c>.</summary>
    public IReadOnlyList<SchemaError> Validate(JsonNode obj)
    {
        var apiVersion = (string?)obj["apiVersion"] ?? "";
        var kind = (string?)obj["kind"] ?? "";
        if (!schemas.TryGetValue((apiVersion, kind), out var entry))
        {
            return [new SchemaError("", $"no CRD for {apiVersion} {kind}")];
        }

        using var document = JsonDocument.Parse(obj.ToJsonString());
        var results = entry.Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        var errors = new List<SchemaError>();
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                var path = ToFieldPath(detail.InstanceLocation.ToString());
                var text = keyword == "$ref" || message.Contains("false schema", StringComparison.Ordinal) ? "unknown field" : message;
                errors.Add(new SchemaError(path, text));
            }
        }

        return errors.Count > 0 ? errors : [new SchemaError("", "invalid")];
    }

    private static void Translate(JsonObject node)
    {
        if (node["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            node.Remove("type");
            node["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" });
        }

        var preserve = node["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        if ((string?)node["type"] == "object" && node.ContainsKey("properties") && !preserve && !node.ContainsKey("additionalProperties"))
        {
            node["additionalProperties"] = false;
        }

        if (node["nullable"]?.GetValue<bool>() == true && node["type"] is JsonValue type)
        {
            node["type"] = new JsonArray((string)type!, "null");
        }

        foreach (var key in node.Select(kv => kv.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal) || k is "nullable" or "format").ToList())
        {
            node.Remove(key);
        }

        foreach (var key in new[] { "properties", "patternProperties" })
        {
            if (node[key] is JsonObject children)
            {
                foreach (var (_, child) in children)
                {
                    if (child is JsonObject o)
                    {
                        Translate(o);
                    }
                }
            }
        }

        foreach (var key in new[] { "items", "additionalProperties", "not" })
        {
            if (node[key] is JsonObject child)
            {
                Translate(child);
            }
        }

        foreach (var key in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (node[key] is JsonArray list)
            {
                foreach (var child in list.OfType<JsonObject>())
                {
                    Translate(child);
                }
            }
        }
    }

    private static string ToFieldPath(string pointer)
    {
        var path = "";
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            path += int.TryParse(name, out _) ? $"[{name}]" : (path.Length == 0 ? name : "." + name);
        }

        return path;
    }
}

/// <summary>A schema violation at a field path.</summary>
internal sealed record SchemaError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
