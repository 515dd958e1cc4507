namespace Flagger.Modules.Workloads.Contracts;

/// <summary>
/// The target's selector label (first of <c>--selector-labels</c> found in <c>spec.selector.matchLabels</c>) and its
/// value, plus ports discovered when <c>service.portDiscovery</c> is on (name → container port).
/// </summary>
/// <example><c>new TargetMetadata("app", "podinfo", new Dictionary&lt;string, int&gt;())</c></example>
public sealed record TargetMetadata(string Label, string LabelValue, IReadOnlyDictionary<string, int> Ports)
{
    /// <summary>The selector value of the primary workload (<c>&lt;value&gt;-primary</c>).</summary>
    public string PrimaryLabelValue => LabelValue + "-primary";
}
