using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Flagger.Modules.Shared.Json;

/// <summary>
/// JSON bytes exactly as Go's <c>encoding/json.Marshal</c> writes them, for payloads that receivers may compare byte for
/// byte: no indentation; UTF-8 (emoji included) left raw; <c>&lt; &gt; &amp;</c>, U+2028 and U+2029 escaped as
/// <c>\u003c</c>-style sequences; control characters as <c>\n \r \t \b \f</c> or lowercase <c>\u001f</c>; a lone
/// surrogate becomes U+FFFD. Map keys must be sorted by the caller (a <see cref="SortedDictionary{TKey, TValue}"/>
/// with ordinal order), as Go sorts them.
/// </summary>
internal static class GoJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Serializes <paramref name="value"/> the way Go's <c>json.Marshal</c> would.</summary>
    public static byte[] Serialize<T>(T value) => Encoding.UTF8.GetBytes(Reescape(JsonSerializer.Serialize(value, Options)));

    /// <summary>
    /// Go's <c>json.Marshal</c> of a <c>map[string]string</c>: <c>null</c> for a null map, keys sorted by their UTF-8
    /// bytes as Go sorts them (differs from UTF-16 ordinal order only beyond the Basic Multilingual Plane).
    /// </summary>
    // upstream: pkg/canary/config_tracker.go checksum() → encoding/json.Marshal
    public static byte[] MarshalMap(IEnumerable<KeyValuePair<string, string?>>? map)
    {
        if (map is null)
        {
            return "null"u8.ToArray();
        }

        var sorted = new SortedDictionary<string, string?>(Utf8Order.Instance);
        foreach (var (key, value) in map)
        {
            sorted[key] = value;
        }

        return Serialize(sorted);
    }

    /// <summary>Rewrites every string literal of compact JSON with Go's escaping rules; the rest is copied.</summary>
    internal static string Reescape(string json)
    {
        var output = new StringBuilder(json.Length + 16);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (!inString)
            {
                output.Append(c);
                inString = c == '"';
                continue;
            }

            if (c == '"')
            {
                output.Append(c);
                inString = false;
                continue;
            }

            if (c == '\\')
            {
                c = Unescape(json, ref i);
            }

            if (char.IsHighSurrogate(c) && NextChar(json, i, out var low, out var end) && char.IsLowSurrogate(low))
            {
                output.Append(c).Append(low);
                i = end;
                continue;
            }

            AppendGo(output, c);
        }

        return output.ToString();
    }

    // Reads the escape starting at json[i] ('\\'); leaves i on its last character.
    private static char Unescape(string json, ref int i)
    {
        var e = json[++i];
        switch (e)
        {
            case 'u':
                var code = ushort.Parse(json.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                i += 4;
                return (char)code;
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            default: return e; // \" \\ \/
        }
    }

    // The string character after position i (escaped or not), and the position of its last source character.
    private static bool NextChar(string json, int i, out char next, out int end)
    {
        end = i + 1;
        next = '\0';
        if (end >= json.Length || json[end] == '"')
        {
            return false;
        }

        next = json[end] == '\\' ? Unescape(json, ref end) : json[end];
        return true;
    }

    private static void AppendGo(StringBuilder output, char c)
    {
        switch (c)
        {
            case '"': output.Append("\\\""); break;
            case '\\': output.Append("\\\\"); break;
            case '\b': output.Append("\\b"); break;
            case '\f': output.Append("\\f"); break;
            case '\n': output.Append("\\n"); break;
            case '\r': output.Append("\\r"); break;
            case '\t': output.Append("\\t"); break;
            case '<' or '>' or '&' or '\u2028' or '\u2029' or (< ' '):
                output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                break;
            default:
                output.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                break;
        }
    }

    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
