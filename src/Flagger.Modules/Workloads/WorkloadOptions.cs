namespace Flagger.Modules.Workloads;

/// <summary>Upstream's workload flags (<c>--selector-labels</c>, <c>--include-label-prefix</c>, <c>--enable-config-tracking</c>).</summary>
public sealed class WorkloadOptions
{
    /// <summary>Upstream's default <c>--selector-labels</c>.</summary>
    public static readonly IReadOnlyList<string> DefaultSelectorLabels = ["app", "name", "app.kubernetes.io/name"];

    /// <summary>
    /// Ordered selector label keys; the first one found in the target's <c>spec.selector.matchLabels</c> wins. Empty
    /// means <see cref="DefaultSelectorLabels"/> (kept empty by default so configuration binding does not append to it).
    /// </summary>
    public IList<string> SelectorLabels { get; set; } = [];

    /// <summary>Label/annotation key prefixes copied to primary objects; <c>*</c> copies all; empty copies none.</summary>
    public IList<string> IncludeLabelPrefix { get; set; } = [];

    /// <summary>Track ConfigMaps/Secrets referenced by the pod spec (copied as <c>-primary</c>, changes start a run).</summary>
    public bool EnableConfigTracking { get; set; } = true;

    /// <summary>The selector labels in effect.</summary>
    public IReadOnlyList<string> EffectiveSelectorLabels =>
        SelectorLabels.Count == 0 ? DefaultSelectorLabels : SelectorLabels.ToList();

    /// <summary>Splits a comma-separated flag value (<c>app,name</c>) as upstream does, dropping blanks.</summary>
    public static IList<string> SplitList(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
