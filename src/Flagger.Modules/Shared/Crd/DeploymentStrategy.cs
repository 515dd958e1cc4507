namespace Flagger.Modules.Shared.Crd;

/// <summary>
/// How a run shifts traffic, as upstream's <c>Canary.DeploymentStrategy()</c> decides it
/// (<c>pkg/apis/flagger/v1beta1/canary.go</c>; inventory §2.2 step 28).
/// </summary>
public enum DeploymentStrategy
{
    /// <summary>Progressive weights (<c>stepWeight</c> / <c>stepWeights</c>); also the answer when analysis is absent.</summary>
    Canary,

    /// <summary><c>iterations &gt; 0</c> and no <c>match</c>: all traffic switches after N iterations.</summary>
    BlueGreen,

    /// <summary><c>iterations &gt; 0</c> and a non-empty <c>match</c>: only matching requests reach the canary.</summary>
    ABTesting,
}

/// <summary>Labels and helpers for <see cref="DeploymentStrategy"/>.</summary>
public static class DeploymentStrategyExtensions
{
    /// <summary>
    /// The value of the <c>deployment_strategy</c> label of <c>flagger_canary_successes_total</c> /
    /// <c>flagger_canary_failures_total</c>: <c>canary</c>, <c>blue-green</c> or <c>ab-testing</c>.
    /// Mirroring runs are labelled by their base strategy, as upstream does.
    /// </summary>
    public static string ToMetricLabel(this DeploymentStrategy strategy) => strategy switch
    {
        DeploymentStrategy.Canary => "canary",
        DeploymentStrategy.BlueGreen => "blue-green",
        DeploymentStrategy.ABTesting => "ab-testing",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown deployment strategy"),
    };
}
