using System.Globalization;
using System.Text;

namespace Flagger.Modules.Analysis.Templates;

/// <summary>Go's text forms for the values that appear in upstream's event texts and in template output.</summary>
internal static class GoFormat
{
    /// <summary>Go <c>%v</c> of a float64: shortest round-trip digits, exponent form when the exponent is &lt; -4 or ≥ 6 (strconv 'g', -1).</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var (negative, digits, dp) = ShortestDigits(value);
        var exp = dp - 1;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (exp < -4 || exp >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var e = Math.Abs(exp);
            sb.Append(e < 10 ? "0" + e.ToString(CultureInfo.InvariantCulture) : e.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }

        return sb.ToString();
    }

    /// <summary>Go <c>%.Nf</c>: correctly rounded fixed notation, Go's spelling of infinities.</summary>
    public static string Fixed(double value, int precision)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        // .NET rounds exact ties away from zero, Go to even (strconv: 0.125 → "0.12").
        var rounded = IsExactTie(value, precision) ? Math.Round(value, precision, MidpointRounding.ToEven) : value;
        return rounded.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>True when the exact binary value lies exactly halfway between two <paramref name="precision"/>-digit decimals.</summary>
    private static bool IsExactTie(double value, int precision)
    {
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        var e = exponent - 1075; // value = mantissa * 2^e
        if (e >= 0 || mantissa == 0)
        {
            return false;
        }

        // value * 10^p * 2 = mantissa * 10^p * 2 / 2^-e must be an odd integer
        var numerator = new System.Numerics.BigInteger(mantissa) * System.Numerics.BigInteger.Pow(10, precision) * 2;
        var denominator = System.Numerics.BigInteger.Pow(2, -e);
        var quotient = System.Numerics.BigInteger.DivRem(numerator, denominator, out var remainder);
        return remainder.IsZero && !quotient.IsEven;
    }

    /// <summary>Go <c>time.Duration.String()</c> for a whole number of nanoseconds.</summary>
    public static string Duration(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        string body;
        if (u < 1_000_000_000UL)
        {
            // sub-second: ns, µs or ms with a fraction
            (ulong unit, string suffix) = u < 1_000UL ? (1UL, "ns") : u < 1_000_000UL ? (1_000UL, "µs") : (1_000_000UL, "ms");
            body = Fraction(u, unit) + suffix;
        }
        else
        {
            var totalSeconds = u / 1_000_000_000UL;
            var fracNs = u % 1_000_000_000UL;
            var hours = totalSeconds / 3600;
            var minutes = totalSeconds / 60 % 60;
            var seconds = totalSeconds % 60;
            var sb = new StringBuilder();
            if (hours > 0)
            {
                sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
            }

            if (hours > 0 || minutes > 0)
            {
                sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
            }

            sb.Append(Fraction(seconds * 1_000_000_000UL + fracNs, 1_000_000_000UL)).Append('s');
            body = sb.ToString();
        }

        return negative ? "-" + body : body;
    }

    /// <summary>Go <c>time.Duration.String()</c> of a whole number of milliseconds.</summary>
    public static string Milliseconds(long milliseconds) => Duration(checked(milliseconds * 1_000_000L));

    private static string Fraction(ulong value, ulong unit)
    {
        var whole = value / unit;
        var frac = value % unit;
        if (frac == 0)
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }

        var width = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        var digits = frac.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0').TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + "." + digits;
    }

    private static (bool Negative, string Digits, int DecimalPoint) ShortestDigits(double value)
    {
        // The shortest round-trip form, normalised to digits and a decimal-point position.
        var s = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int exponent = 0;
        var e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? s[..dot] : s;
        var fracPart = dot >= 0 ? s[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var dp = intPart.Length + exponent;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }

        all = all[lead..];
        dp -= lead;
        all = all.TrimEnd('0');
        if (all.Length == 0)
        {
            all = "0";
        }

        return (value < 0, all, dp);
    }
}
