namespace Flagger.Modules.Routing.Contracts;

/// <summary>
/// What the Workloads module found on the target workload and the Services need: the selector label
/// (first of <c>--selector-labels</c> present in the target's <c>spec.selector.matchLabels</c>), its value, and the
/// container ports discovered when <c>spec.service.portDiscovery</c> is true (name → port).
/// </summary>
/// <example><c>new ServiceTarget("app", "podinfo", new Dictionary&lt;string, int&gt; { ["http-metrics"] = 9797 })</c></example>
public sealed record ServiceTarget(string LabelSelector, string LabelValue, IReadOnlyDictionary<string, int> DiscoveredPorts)
{
    /// <summary>A target without discovered ports.</summary>
    public ServiceTarget(string labelSelector, string labelValue)
        : this(labelSelector, labelValue, new Dictionary<string, int>())
    {
    }
}
