using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>Settings of the rollout loop; the runtime fills them from its flags.</summary>
public sealed class RolloutOptions
{
    /// <summary>The global <c>-mesh-provider</c>, used when <c>spec.provider</c> is empty.</summary>
    public string MeshProvider { get; set; } = CanaryDefaults.MeshProvider;

    /// <summary><c>-no-cross-namespace-refs</c>: reject MetricTemplate/AlertProvider references to other namespaces.</summary>
    public bool NoCrossNamespaceRefs { get; set; }

    /// <summary>The floor of <c>analysis.interval</c> (upstream: 10s).</summary>
    public TimeSpan MinAnalysisInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many canary steps may run at once (the runtime sets it from <c>-threadiness</c>). Webhooks and metric queries
    /// run outside the step (their completion wakes the canary), so a slot is held only for cache reads and writes.
    /// </summary>
    public int MaxConcurrentSteps { get; set; } = 32;
}
