namespace Flagger.Modules.Rollout.Scheduling;

/// <summary>Identifies one canary.</summary>
public readonly record struct CanaryKey(string Namespace, string Name)
{
    public override string ToString() => $"{Name}.{Namespace}";
}

/// <summary>Why a step runs: its interval elapsed, or a watch event says something relevant changed.</summary>
public enum StepTrigger
{
    /// <summary>The analysis interval elapsed: a full step (analysis may advance).</summary>
    Interval,

    /// <summary>A relevant change (target, tracked config, canary spec, deletion): react without advancing analysis early.</summary>
    Wake,
}
