using System.Globalization;

namespace Flagger.Modules.Webhooks;

/// <summary>Parses Go duration strings (<c>time.ParseDuration</c>): <c>300ms</c>, <c>1.5h</c>, <c>1m30s</c>, <c>-2s</c>, <c>0</c>.</summary>
internal static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = "";
        if (string.IsNullOrEmpty(text))
        {
            error = "empty duration";
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
            error = $"invalid duration \"{text}\"";
            return false;
        }

        double ticks = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid duration \"{text}\"";
                return false;
            }

            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = $"missing unit in duration \"{text}\"";
                return false;
            }

            double? unitTicks = s[..unitLength] switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (unitTicks is null)
            {
                error = $"unknown unit \"{s[..unitLength].ToString()}\" in duration \"{text}\"";
                return false;
            }

            ticks += number * unitTicks.Value;
            s = s[unitLength..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"invalid duration \"{text}\"";
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks * (negative ? -1 : 1));
        return true;
    }
}
