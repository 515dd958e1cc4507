using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// An object of a watched kind that the C# model cannot read, e.g. a Canary with <c>threshold: "three"</c> stored by a
/// cluster that skipped schema validation: kept with its raw JSON and the first field that does not fit, so the owner
/// can still report on it (a condition, an event) instead of the object silently vanishing from the cache.
/// </summary>
/// <param name="Namespace">The object's namespace ("" for cluster-scoped objects).</param>
/// <param name="Name">The object's name.</param>
/// <param name="Raw">The object as the API server returned it.</param>
/// <param name="Field">The JSON path of the field that cannot be read, e.g. <c>spec.analysis.threshold</c>.</param>
/// <param name="Reason">What was expected and what was found, e.g. <c>expected an integer, got "three"</c>.</param>
public sealed partial record UnreadableObject(string Namespace, string Name, JsonElement Raw, string Field, string Reason)
{
    /// <summary><c>&lt;field&gt;: &lt;reason&gt;</c>.</summary>
    public override string ToString() => $"{Field}: {Reason}";

    /// <summary>Describes why <paramref name="raw"/> could not be read as <paramref name="model"/>.</summary>
    public static UnreadableObject From(JsonElement raw, JsonException error, Type model)
    {
        var metadata = raw.ValueKind == JsonValueKind.Object && raw.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var name = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        var ns = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("namespace", out var s) ? s.GetString() ?? "" : "";
        var segments = Segments(error.Path);
        var field = segments.Count == 0 ? "(object)" : string.Concat(segments.Select((x, i) => x.Index is { } index ? $"[{index}]" : (i == 0 ? "" : ".") + x.Name));
        var found = Find(raw, segments);
        var expected = Expected(error.Message, found);
        var reason = expected is null
            ? $"cannot be read as {model.Name} ({FirstSentence(error.Message)})"
            : $"expected {expected}, got {Describe(found)}";
        return new UnreadableObject(ns, name, raw, field, reason);
    }

    private static List<(string? Name, int? Index)> Segments(string? path)
    {
        var segments = new List<(string? Name, int? Index)>();
        foreach (Match match in PathSegment().Matches(path ?? ""))
        {
            if (match.Groups["index"].Success)
            {
                segments.Add((null, int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture)));
            }
            else
            {
                segments.Add((match.Groups["quoted"].Success ? match.Groups["quoted"].Value : match.Groups["name"].Value, null));
            }
        }

        return segments;
    }

    private static JsonElement? Find(JsonElement root, List<(string? Name, int? Index)> segments)
    {
        var current = root;
        foreach (var (name, index) in segments)
        {
            if (index is { } i && current.ValueKind == JsonValueKind.Array && i < current.GetArrayLength())
            {
                current = current[i];
            }
            else if (name is not null && current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out var child))
            {
                current = child;
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    // System.Text.Json names the target type: "The JSON value could not be converted to System.Nullable`1[System.Int32]."
    private static string? Expected(string message, JsonElement? found)
    {
        var match = ConvertedTo().Match(message);
        if (!match.Success)
        {
            return null;
        }

        var type = match.Groups["type"].Value;
        return type switch
        {
            _ when type.Contains("System.Int32", StringComparison.Ordinal) => IsWholeNumber(found) ? "an integer between -2147483648 and 2147483647" : "an integer",
            _ when type.Contains("System.Int64", StringComparison.Ordinal) => "an integer",
            _ when type.Contains("System.Double", StringComparison.Ordinal) || type.Contains("System.Single", StringComparison.Ordinal) || type.Contains("System.Decimal", StringComparison.Ordinal) => "a number",
            _ when type.Contains("System.Boolean", StringComparison.Ordinal) => "a boolean (true or false)",
            _ when type.Contains("System.String", StringComparison.Ordinal) && !type.Contains("Dictionary", StringComparison.Ordinal) && !type.Contains("List", StringComparison.Ordinal) => "a string",
            _ when type.Contains("List`1", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => "an array",
            _ when type.Contains("IntOrString", StringComparison.Ordinal) => "an integer or a string",
            _ => "an object",
        };
    }

    private static bool IsWholeNumber(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Number } number && number.TryGetDouble(out var d) && Math.Floor(d) == d;

    private static string Describe(JsonElement? value) => value?.ValueKind switch
    {
        JsonValueKind.String => JsonSerializer.Serialize(value.Value.GetString()),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.Value.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "something else",
    };

    private static string FirstSentence(string message) => message.Split(". ", 2)[0].TrimEnd('.');

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    [GeneratedRegex(@"could not be converted to (?<type>\S+?)\.?( Path:|$)")]
    private static partial Regex ConvertedTo();
}
