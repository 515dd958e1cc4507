using System.Globalization;
using System.Text;

namespace Flagger.Modules.Analysis.Templates;

/// <summary>Go's <c>fmt.Sprintf</c>/<c>fmt.Sprint</c> for the value types a template produces (string, int, float64, bool, map).</summary>
internal static class GoPrintf
{
    public static string Sprintf(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        var argIndex = 0;
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                i++;
                continue;
            }

            i++;
            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            var minus = false;
            var plus = false;
            var zero = false;
            var space = false;
            while (i < format.Length && format[i] is '-' or '+' or '0' or ' ' or '#')
            {
                switch (format[i])
                {
                    case '-': minus = true; break;
                    case '+': plus = true; break;
                    case '0': zero = true; break;
                    case ' ': space = true; break;
                }

                i++;
            }

            int? width = null;
            while (i < format.Length && char.IsAsciiDigit(format[i]))
            {
                width = (width ?? 0) * 10 + (format[i] - '0');
                i++;
            }

            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = 0;
                while (i < format.Length && char.IsAsciiDigit(format[i]))
                {
                    precision = precision * 10 + (format[i] - '0');
                    i++;
                }
            }

            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            var verb = format[i++];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }

            if (argIndex >= args.Count)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            var arg = args[argIndex++];
            var formatted = FormatOne(verb, arg, precision, plus, space);
            if (width is { } w && formatted.Length < w)
            {
                var pad = new string(zero && !minus && verb is not 's' and not 'q' and not 'v' ? '0' : ' ', w - formatted.Length);
                formatted = minus ? formatted + pad : pad + formatted;
            }

            sb.Append(formatted);
        }

        if (argIndex < args.Count)
        {
            sb.Append("%!(EXTRA ");
            sb.Append(string.Join(", ", args.Skip(argIndex).Select(a => GoTemplate.GoType(a) + "=" + Value(a))));
            sb.Append(')');
        }

        return sb.ToString();
    }

    /// <summary>Go <c>fmt.Sprint</c>: operands joined, with a space only between two non-string operands.</summary>
    public static string Sprint(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0 && args[i] is not string && args[i - 1] is not string)
            {
                sb.Append(' ');
            }

            sb.Append(args[i] is null ? "<nil>" : Value(args[i]));
        }

        return sb.ToString();
    }

    /// <summary>Go <c>%v</c>.</summary>
    public static string Value(object? v) => v switch
    {
        null => "<nil>",
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => GoFormat.Float(d),
        bool b => b ? "true" : "false",
        IReadOnlyDictionary<string, string> m => "map[" + string.Join(" ", m.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + kv.Value)) + "]",
        _ => v.ToString() ?? "",
    };

    /// <summary>Go <c>url.QueryEscape</c>.</summary>
    public static string QueryEscape(string s)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static string FormatOne(char verb, object? arg, int? precision, bool plus, bool space)
    {
        string Bad() => $"%!{verb}({GoTemplate.GoType(arg)}={Value(arg)})";

        switch (verb)
        {
            case 'v':
                return Value(arg);
            case 's':
                return arg switch
                {
                    string s => precision is { } p && p < s.Length ? s[..p] : s,
                    long or double or bool => Bad(),
                    _ => Value(arg),
                };
            case 'q':
                return arg is string q ? Quote(q) : Bad();
            case 'd':
                return arg is long l ? Sign(l.ToString(CultureInfo.InvariantCulture), l >= 0, plus, space) : Bad();
            case 't':
                return arg is bool b ? (b ? "true" : "false") : Bad();
            case 'x':
            case 'X':
                var hex = arg switch
                {
                    long lx => lx.ToString("x", CultureInfo.InvariantCulture),
                    string sx => Convert.ToHexString(Encoding.UTF8.GetBytes(sx)).ToLowerInvariant(),
                    _ => null,
                };
                return hex is null ? Bad() : verb == 'X' ? hex.ToUpperInvariant() : hex;
            case 'f':
            case 'F':
                return arg is double f ? Sign(GoFormat.Fixed(f, precision ?? 6), f >= 0 || double.IsNaN(f), plus, space) : Bad();
            case 'e':
                return arg is double e ? Sign(e.ToString("0." + new string('0', precision ?? 6) + "e+00", CultureInfo.InvariantCulture), e >= 0, plus, space) : Bad();
            case 'g':
                return arg is double g ? Sign(GoFormat.Float(g), g >= 0, plus, space) : Bad();
            default:
                return Bad();
        }
    }

    private static string Sign(string s, bool nonNegative, bool plus, bool space) =>
        nonNegative && !s.StartsWith('+') ? (plus ? "+" + s : space ? " " + s : s) : s;

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when c < ' ' => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }
}
