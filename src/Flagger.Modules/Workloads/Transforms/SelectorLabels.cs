namespace Flagger.Modules.Workloads.Transforms;

/// <summary>Selector-label detection (upstream <c>getSelectorLabel</c> of the Deployment/DaemonSet controllers).</summary>
internal static class SelectorLabels
{
    /// <summary>The first of <paramref name="labels"/> present in <paramref name="matchLabels"/>, or null.</summary>
    public static (string Label, string Value)? Detect(IDictionary<string, string>? matchLabels, IReadOnlyList<string> labels)
    {
        foreach (var label in labels)
        {
            if (matchLabels is not null && matchLabels.TryGetValue(label, out var value))
            {
                return (label, value);
            }
        }

        return null;
    }

    /// <summary>Upstream's error text; <paramref name="kind"/> is <c>deployment</c> or <c>daemonset</c>.</summary>
    public static string MissingMessage(string kind, string name, string? @namespace, IReadOnlyList<string> labels) =>
        // upstream: the DaemonSet message ends with a stray quote
        $"{kind} {name}.{@namespace} spec.selector.matchLabels must contain one of [{string.Join(' ', labels)}]{(kind == "daemonset" ? "'" : "")}";
}
