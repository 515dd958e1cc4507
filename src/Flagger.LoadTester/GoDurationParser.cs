using System.Globalization;
using System.Text.RegularExpressions;

namespace Flagger.LoadTester;

/// <summary>Go <c>time.ParseDuration</c> for the <c>-timeout</c> flag: <c>90s</c>, <c>1h30m</c>, <c>1.5h</c>, <c>500ms</c>.</summary>
internal static partial class GoDurationParser
{
    [GeneratedRegex(@"^(?<n>\d+(\.\d*)?|\.\d+)(?<u>ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var rest = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (rest == "0")
        {
            return true;
        }

        if (rest.Length == 0)
        {
            return false;
        }

        double ticks = 0;
        while (rest.Length > 0)
        {
            var match = Part().Match(rest);
            if (!match.Success)
            {
                return false;
            }

            var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            ticks += number * match.Groups["u"].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            rest = rest[match.Length..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks * (text.StartsWith('-') ? -1 : 1));
        return true;
    }
}
