using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Flagger.Modules.Shared.Crd;

/// <summary>
/// Parses durations the way Go's <c>time.ParseDuration</c> does (<c>500ms</c>, <c>30s</c>, <c>1m</c>, <c>1h30m</c>,
/// <c>1.5h</c>, <c>-2s</c>, <c>0</c>), because every duration field of the Flagger CRDs is read by upstream with it.
/// </summary>
/// <example><code>GoDuration.TryParse("1h30m", out var d, out _); // d == TimeSpan.FromMinutes(90)</code></example>
public static class GoDuration
{
    private const long NanosPerTick = 100;

    private static readonly (string Unit, long Nanos)[] Units =
    [
        ("ns", 1L),
        ("us", 1_000L),
        ("\u00b5s", 1_000L), // micro sign
        ("\u03bcs", 1_000L), // Greek small letter mu
        ("ms", 1_000_000L),
        ("s", 1_000_000_000L),
        ("m", 60_000_000_000L),
        ("h", 3_600_000_000_000L),
    ];

    /// <summary>Parses <paramref name="text"/> or throws a <see cref="FormatException"/> whose message says what is wrong.</summary>
    public static TimeSpan Parse(string? text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>Parses like <see cref="TryParse(string?, out TimeSpan, out string?)"/> without the reason.</summary>
    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>
    /// Parses <paramref name="text"/>; on failure <paramref name="error"/> explains why, e.g.
    /// <c>"1x" is not a valid duration: unknown unit "x" (use ns, us, ms, s, m or h, e.g. 30s, 1m, 1h30m)</c>.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty duration (use ns, us, ms, s, m or h, e.g. 30s, 1m, 1h30m)";
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return Fail(text, "no number", out error);
        }

        decimal totalNanos = 0;
        while (!s.IsEmpty)
        {
            var digits = 0;
            while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            {
                digits++;
            }

            var fractionDigits = 0;
            var numberLength = digits;
            if (numberLength < s.Length && s[numberLength] == '.')
            {
                numberLength++;
                while (numberLength < s.Length && char.IsAsciiDigit(s[numberLength]))
                {
                    numberLength++;
                    fractionDigits++;
                }
            }

            if (digits == 0 && fractionDigits == 0)
            {
                return Fail(text, $"expected a number at \"{s.ToString()}\"", out error);
            }

            var number = decimal.Parse(s[..numberLength].ToString().TrimEnd('.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            s = s[numberLength..];

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                return Fail(text, "missing unit", out error);
            }

            var unit = s[..unitLength].ToString();
            var nanos = Array.Find(Units, u => u.Unit == unit).Nanos;
            if (nanos == 0)
            {
                return Fail(text, $"unknown unit \"{unit}\"", out error);
            }

            s = s[unitLength..];
            totalNanos += number * nanos;
            if (totalNanos > long.MaxValue)
            {
                return Fail(text, "out of range (more than about 290 years)", out error);
            }
        }

        // Go truncates to whole nanoseconds; TimeSpan has 100ns ticks, so truncate to ticks.
        var ticks = (long)decimal.Truncate(totalNanos / NanosPerTick);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    private static bool Fail(string text, string reason, out string error)
    {
        error = $"\"{text}\" is not a valid duration: {reason} (use ns, us, ms, s, m or h, e.g. 30s, 1m, 1h30m)";
        return false;
    }
}
