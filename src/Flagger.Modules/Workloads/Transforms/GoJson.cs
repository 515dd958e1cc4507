using System.Text;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>
/// Byte-for-byte Go <c>encoding/json.Marshal</c> of <c>map[string]string</c> and <c>map[string][]byte</c>: keys sorted
/// by their UTF-8 bytes, HTML-escaped <c>&lt; &gt; &amp;</c>, <c>\u2028</c>/<c>\u2029</c> escaped, Go 1.22+ short
/// escapes (<c>\b \f \n \r \t</c>), other control characters as <c>\u00xx</c>, byte slices as standard base64, nil as
/// <c>null</c>. Used for the <c>trackedConfigs</c> checksum, which must match upstream exactly.
/// </summary>
internal static class GoJson
{
    // upstream: pkg/canary/config_tracker.go checksum() → encoding/json.Marshal
    public static byte[] Marshal(IDictionary<string, string>? map) =>
        map is null ? "null"u8.ToArray() : MarshalMap(map.Select(kv => (kv.Key, kv.Value is null ? null : (string?)kv.Value)));

    public static byte[] Marshal(IDictionary<string, byte[]>? map) =>
        map is null
            ? "null"u8.ToArray()
            : MarshalMap(map.Select(kv => (kv.Key, kv.Value is null ? null : (string?)Convert.ToBase64String(kv.Value))));

    private static byte[] MarshalMap(IEnumerable<(string Key, string? Value)> entries)
    {
        var sorted = entries.Select(e => (KeyBytes: Encoding.UTF8.GetBytes(e.Key), e.Key, e.Value)).ToList();
        sorted.Sort((a, b) => a.KeyBytes.AsSpan().SequenceCompareTo(b.KeyBytes));
        var sb = new StringBuilder();
        sb.Append('{');
        var first = true;
        foreach (var (_, key, value) in sorted)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            AppendString(sb, key);
            sb.Append(':');
            if (value is null)
            {
                sb.Append("null");
            }
            else
            {
                AppendString(sb, value);
            }
        }

        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // a lone surrogate reaches Go as U+FFFD (its JSON decoder replaces it), written raw
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
