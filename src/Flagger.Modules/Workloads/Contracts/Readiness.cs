namespace Flagger.Modules.Workloads.Contracts;

/// <summary>How a readiness check ended.</summary>
public enum ReadinessState
{
    /// <summary>The workload has rolled out and enough replicas are available.</summary>
    Ready,

    /// <summary>Still rolling out (or not readable yet): record a Warning event with the message and retry next tick.</summary>
    NotReady,

    /// <summary>Non-retriable: the progress deadline passed; the reconciler rolls back (or fails the promotion).</summary>
    DeadlineExceeded,
}

/// <summary>A readiness outcome with upstream's message (null when ready).</summary>
/// <example><c>canary deployment podinfo.test not ready: waiting for rollout to finish: 0 of 1 (readyThreshold 100%) updated replicas are available</c></example>
public sealed record Readiness(ReadinessState State, string? Message)
{
    /// <summary>The ready outcome.</summary>
    public static Readiness Ready { get; } = new(ReadinessState.Ready, null);

    /// <summary>True when <see cref="State"/> is <see cref="ReadinessState.Ready"/>.</summary>
    public bool IsReady => State == ReadinessState.Ready;
}
