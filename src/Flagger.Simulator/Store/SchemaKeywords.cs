using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.Simulator.Store.Cel;

namespace Flagger.Simulator.Store;

/// <summary>
/// The structural-schema keywords a CRD's <c>openAPIV3Schema</c> is checked with, with the API server's field errors
/// (kube-openapi's messages as apiextensions-apiserver converts them): type, enum, minimum/maximum, pattern, format,
/// min/maxLength, min/maxItems and <c>x-kubernetes-validations</c> rules.
/// </summary>
internal static partial class SchemaKeywords
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new();

    /// <summary>Type, enum, bounds, length, pattern and format of a scalar; false when its type is wrong (nothing else is checked then).</summary>
    public static bool CheckScalar(JsonValue value, JsonObject schema, string? type, bool intOrString, string path, List<(string, string)> errors)
    {
        var actual = value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsInteger(value) ? "integer" : "number",
            _ => "null",
        };
        var ok = type is null || (intOrString && actual is "string" or "integer") || type == actual || (type == "number" && actual == "integer");
        if (!ok)
        {
            errors.Add((path, $"Invalid value: \"{actual}\": {path} in body must be of type {type}: \"{actual}\""));
            return false;
        }

        if (actual == "string")
        {
            CheckString((string)value!, schema, path, errors);
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add((path, $"Unsupported value: {value.ToJsonString()}: supported values: {string.Join(", ", allowed.Select(Quoted))}"));
        }

        if (actual is "integer" or "number" && value.TryGetValue<double>(out var d))
        {
            if (schema["minimum"] is JsonValue min && d < min.GetValue<double>())
            {
                errors.Add((path, $"Invalid value: {value.ToJsonString()}: {path} in body should be greater than or equal to {min.ToJsonString()}"));
            }

            if (schema["maximum"] is JsonValue max && d > max.GetValue<double>())
            {
                errors.Add((path, $"Invalid value: {value.ToJsonString()}: {path} in body should be less than or equal to {max.ToJsonString()}"));
            }
        }

        return true;
    }

    /// <summary>maxItems / minItems of a list.</summary>
    public static void CheckItems(JsonArray array, JsonObject schema, string path, List<(string, string)> errors)
    {
        if (schema["maxItems"] is JsonValue max && array.Count > max.GetValue<long>())
        {
            errors.Add((path, $"Too many: {array.Count}: must have at most {max.GetValue<long>()} items"));
        }

        if (schema["minItems"] is JsonValue min && array.Count < min.GetValue<long>())
        {
            errors.Add((path, $"Invalid value: {array.Count}: {path} in body should have at least {min.GetValue<long>()} items"));
        }
    }

    /// <summary>
    /// <c>x-kubernetes-validations</c> on the node (after defaults). Transition rules (<c>oldSelf</c>) are skipped;
    /// a rule outside the CEL subset this simulator evaluates is an error naming the rule, never silently passed.
    /// </summary>
    public static void CheckRules(JsonNode node, JsonObject schema, string path, List<(string, string)> errors)
    {
        if (schema["x-kubernetes-validations"] is not JsonArray rules)
        {
            return;
        }

        var typeName = node switch { JsonObject => "object", JsonArray => "array", _ => (string?)schema["type"] ?? "string" };
        foreach (var rule in rules.OfType<JsonObject>())
        {
            var expression = (string?)rule["rule"] ?? "";
            if (expression.Contains("oldSelf", StringComparison.Ordinal))
            {
                continue;
            }

            var field = (string?)rule["fieldPath"] is { Length: > 0 } fieldPath ? path + fieldPath : path;
            try
            {
                if (!CelEvaluator.Holds(expression, node))
                {
                    var message = (string?)rule["message"] is { Length: > 0 } m ? m : $"failed rule: {expression.Trim()}";
                    errors.Add((field, $"Invalid value: \"{typeName}\": {message}"));
                }
            }
            catch (CelRuntimeException ex)
            {
                errors.Add((field, $"Invalid value: \"{typeName}\": {ex.Message} evaluating rule: {expression.Trim()}"));
            }
            catch (CelUnsupportedException ex)
            {
                errors.Add((field, $"Internal error: the simulator does not evaluate this rule ({ex.Message}): {expression.Trim()}"));
            }
        }
    }

    /// <summary>
    /// allOf / anyOf / oneOf / not, whose branches hold value validations only (no defaults, no pruning). Their
    /// failures are not field errors: the API server reports them on the <c>&lt;nil&gt;</c> path, plus the errors of
    /// the branch that came closest.
    /// </summary>
    public static void CheckComposition(JsonNode node, JsonObject schema, string path, List<(string, string)> errors)
    {
        if (schema["allOf"] is JsonArray all)
        {
            var failures = Branches(all).Select(b => Validate(node, b, path)).Where(f => f.Count > 0).ToList();
            if (failures.Count > 0)
            {
                errors.AddRange(failures.SelectMany(f => f));
                Composite(errors, $"{Quoted(path)} must validate all the schemas (allOf){(failures.Count == all.Count ? ". None validated" : "")}");
            }
        }

        if (schema["anyOf"] is JsonArray any)
        {
            var results = Branches(any).Select(b => Validate(node, b, path)).ToList();
            if (results.All(r => r.Count > 0))
            {
                Composite(errors, $"{Quoted(path)} must validate at least one schema (anyOf)");
                errors.AddRange(results.MinBy(r => r.Count)!);
            }
        }

        if (schema["oneOf"] is JsonArray one)
        {
            var results = Branches(one).Select(b => Validate(node, b, path)).ToList();
            var valid = results.Count(r => r.Count == 0);
            if (valid != 1)
            {
                Composite(errors, $"{Quoted(path)} must validate one and only one schema (oneOf). {(valid == 0 ? "Found none valid" : $"Found {valid} valid alternatives")}");
                if (valid == 0)
                {
                    errors.AddRange(results.MinBy(r => r.Count)!);
                }
            }
        }

        if (schema["not"] is JsonObject not && Validate(node, not, path).Count == 0)
        {
            Composite(errors, $"{Quoted(path)} must not validate the schema (not)");
        }
    }

    private static IEnumerable<JsonObject> Branches(JsonArray branches) => branches.OfType<JsonObject>();

    private static void Composite(List<(string, string)> errors, string message) => errors.Add(("<nil>", $"Invalid value: \"\": {message}"));

    /// <summary>The value validations of a branch, without defaulting or pruning.</summary>
    private static List<(string, string)> Validate(JsonNode? node, JsonObject schema, string path)
    {
        var errors = new List<(string, string)>();
        var type = (string?)schema["type"];
        switch (node)
        {
            case JsonObject obj:
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => (string?)r).OfType<string>().Where(r => !obj.ContainsKey(r)))
                {
                    errors.Add((Join(path, required), "Required value"));
                }

                foreach (var (key, value) in obj)
                {
                    if ((schema["properties"]?[key] ?? schema["additionalProperties"]) is JsonObject child && value is not null)
                    {
                        errors.AddRange(Validate(value, child, Join(path, key)));
                    }
                }

                break;
            case JsonArray array:
                CheckItems(array, schema, path, errors);
                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        errors.AddRange(Validate(array[i], items, $"{path}[{i}]"));
                    }
                }

                break;
            case JsonValue value:
                CheckScalar(value, schema, type, (bool?)schema["x-kubernetes-int-or-string"] == true, path, errors);
                break;
        }

        if (node is not null)
        {
            CheckComposition(node, schema, path, errors);
        }

        return errors;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static void CheckString(string text, JsonObject schema, string path, List<(string, string)> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema["maxLength"] is JsonValue max && length > max.GetValue<long>())
        {
            errors.Add((path, $"Too long: may not be more than {max.GetValue<long>()} bytes"));
        }

        if (schema["minLength"] is JsonValue min && length < min.GetValue<long>())
        {
            errors.Add((path, $"Invalid value: {Quoted(text)}: {path} in body should be at least {min.GetValue<long>()} chars long"));
        }

        if ((string?)schema["pattern"] is { } pattern && !Patterns.GetOrAdd(pattern, p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).IsMatch(text))
        {
            errors.Add((path, $"Invalid value: {Quoted(text)}: {path} in body should match '{pattern}'"));
        }

        if ((string?)schema["format"] is { } format && !FormatHolds(format, text))
        {
            errors.Add((path, $"Invalid value: {Quoted(text)}: {path} in body must be of type {format}: {Quoted(text)}"));
        }
    }

    /// <summary>
    /// The formats the API server checks (apiextensions-apiserver <c>validation/formats.go</c>) that CRDs here use or are
    /// likely to; any other format (<c>int32</c>, <c>url</c>, …) is dropped by the API server and not checked.
    /// </summary>
    private static bool FormatHolds(string format, string text) => format.Replace("-", "", StringComparison.Ordinal) switch
    {
        "datetime" => DateTimePattern().IsMatch(text),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uri" => Uri.TryCreate(text, UriKind.Absolute, out _) || text.StartsWith('/'),
        "uuid" => UuidPattern().IsMatch(text),
        "ipv4" => System.Net.IPAddress.TryParse(text, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
        "ipv6" => System.Net.IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        "byte" => text.Length % 4 == 0 && Convert.TryFromBase64String(text, new byte[text.Length], out _),
        _ => true,
    };

    private static bool IsInteger(JsonValue value) =>
        value.TryGetValue<long>(out _) || (value.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon && !value.ToJsonString().Contains('.'));

    /// <summary>Go's <c>%q</c> of a string (JSON quoting matches it for the text these fields hold).</summary>
    private static string Quoted(string text) => JsonSerializer.Serialize(text, QuoteOptions);

    private static string Quoted(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Quoted((string)v!) : value?.ToJsonString() ?? "null";

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // strfmt's date-time layouts: RFC 3339 with optional fraction and offset, the ISO 8601 local and reduced forms.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    [GeneratedRegex("^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex UuidPattern();
}
