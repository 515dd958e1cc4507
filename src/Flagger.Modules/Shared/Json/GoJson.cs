using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flagger.Modules.Shared.Json;

/// <summary>
/// JSON bytes as Go's <c>encoding/json.Marshal</c> writes them, for payloads that receivers may compare byte for byte:
/// no indentation, UTF-8 left as is, <c>&lt; &gt; &amp;</c> and U+2028/U+2029 escaped as <c>\u003c</c>-style sequences.
/// Map keys must be sorted by the caller (use <see cref="SortedDictionary{TKey, TValue}"/> with ordinal order).
/// </summary>
internal static class GoJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    /// <summary>Serializes <paramref name="value"/> the way Go's <c>json.Marshal</c> would.</summary>
    public static byte[] Serialize<T>(T value)
    {
        var relaxed = JsonSerializer.Serialize(value, Options);

        // Outside string literals JSON never contains these characters, so replacing them escapes exactly string content.
        var escaped = new StringBuilder(relaxed.Length + 16);
        foreach (var c in relaxed)
        {
            _ = c switch
            {
                '<' => escaped.Append("\\u003c"),
                '>' => escaped.Append("\\u003e"),
                '&' => escaped.Append("\\u0026"),
                '\u2028' => escaped.Append("\\u2028"),
                '\u2029' => escaped.Append("\\u2029"),
                _ => escaped.Append(c),
            };
        }

        return Encoding.UTF8.GetBytes(escaped.ToString());
    }
}
