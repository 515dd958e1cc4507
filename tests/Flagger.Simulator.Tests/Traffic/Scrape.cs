using System.Globalization;
using System.Text.RegularExpressions;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>One series of a Prometheus text exposition: name, labels and value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// Reads a Prometheus text exposition and evaluates the instant-vector selectors of a PromQL query against it
/// (<c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>; regexes anchored as in Prometheus), enough to check that the series a
/// builtin query selects exist without running Prometheus.
/// </summary>
public static partial class Scrape
{
    public static List<Sample> Parse(string exposition) =>
        [.. SampleLine().Matches(exposition).Select(m => new Sample(m.Groups[1].Value, Labels(m.Groups[2].Value), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))];

    /// <summary>The selectors of a query, in order: metric name and label matchers.</summary>
    public static List<(string Metric, List<(string Label, string Op, string Value)> Matchers)> Selectors(string query) =>
        [.. SelectorText().Matches(query).Select(m => (m.Groups[1].Value,
            MatcherText().Matches(m.Groups[2].Value).Select(x => (x.Groups[1].Value, x.Groups[2].Value, Unquote(x.Groups[3].Value))).ToList()))];

    /// <summary>The samples one selector picks.</summary>
    public static List<Sample> Select(IEnumerable<Sample> samples, (string Metric, List<(string Label, string Op, string Value)> Matchers) selector) =>
        [.. samples.Where(s => s.Name == selector.Metric && selector.Matchers.All(m => Holds(s.Labels.GetValueOrDefault(m.Label, ""), m.Op, m.Value)))];

    private static bool Holds(string actual, string op, string value) => op switch
    {
        "=" => actual == value,
        "!=" => actual != value,
        "=~" => Regex.IsMatch(actual, "^(?:" + value + ")$"),
        "!~" => !Regex.IsMatch(actual, "^(?:" + value + ")$"),
        _ => throw new ArgumentException($"unknown matcher {op}"),
    };

    private static Dictionary<string, string> Labels(string text) =>
        MatcherText().Matches(text).ToDictionary(m => m.Groups[1].Value, m => Unquote(m.Groups[3].Value));

    private static string Unquote(string text) => text.Replace("\\\"", "\"", StringComparison.Ordinal).Replace(@"\\", @"\", StringComparison.Ordinal);

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? ([-+0-9.eEInfNa]+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}")]
    private static partial Regex SelectorText();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex MatcherText();
}
