using System.Text.RegularExpressions;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>How a header value is compared.</summary>
internal enum HeaderMatchKind
{
    /// <summary>No comparison the simulator understands: the condition never holds.</summary>
    Unsupported,
    Exact,
    Prefix,
    Regex,
}

/// <summary>A condition on one request header; a request without the header fails it.</summary>
/// <param name="Name">Header name, lower case.</param>
/// <param name="Kind">How <paramref name="Value"/> is compared with the header's value.</param>
/// <param name="Value">The exact value, prefix or regular expression (matched against the whole value).</param>
internal sealed record HeaderCondition(string Name, HeaderMatchKind Kind, string Value)
{
    public bool Accepts(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue(Name, out var value) && Kind switch
        {
            HeaderMatchKind.Exact => value == Value,
            HeaderMatchKind.Prefix => value.StartsWith(Value, StringComparison.Ordinal),
            HeaderMatchKind.Regex => FullMatch(value, Value),
            _ => false,
        };

    private static bool FullMatch(string value, string pattern)
    {
        try
        {
            // RE2-style full-string match, as Envoy applies safe_regex.
            return Regex.IsMatch(value, "^(?:" + pattern + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
