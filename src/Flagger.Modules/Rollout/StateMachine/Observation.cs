using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>Whether the canary (target) workload runs pods.</summary>
internal enum ScaleState
{
    /// <summary>The target runs pods (<c>spec.replicas</c> &gt; 0; DaemonSet without the scale-to-zero node selector).</summary>
    Up,

    /// <summary>The target is scaled to zero (<c>replicas: 0</c>, or DaemonSet node selector <c>flagger.app/scale-to-zero</c>).</summary>
    Zero,

    /// <summary>The kind cannot be scaled (Service targets).</summary>
    NotApplicable,
}

/// <summary>One workload's state this tick.</summary>
/// <param name="Readiness">Readiness (upstream <c>pkg/canary/*_ready.go</c>) with the thresholds of <c>analysis.primaryReadyThreshold</c>/<c>canaryReadyThreshold</c>.</param>
/// <param name="Message">Upstream's readiness error text, e.g. <c>podinfo-primary.test not ready: waiting for rollout to finish: 1 of 2 (readyThreshold 100%) updated replicas are available</c>; emitted verbatim as a Warning event (a Normal one while an initialization waits for its primary).</param>
/// <param name="Scale">Whether the workload runs pods (only meaningful for the canary/target).</param>
internal sealed record WorkloadObservation(ReadinessState Readiness, string? Message = null, ScaleState Scale = ScaleState.Up)
{
    public static WorkloadObservation ReadyUp { get; } = new(ReadinessState.Ready);
    public static WorkloadObservation ReadyAtZero { get; } = new(ReadinessState.Ready, null, ScaleState.Zero);
}

/// <summary>The mesh router's current split (<c>meshRouter.GetRoutes</c>).</summary>
internal readonly record struct RouteObservation(int PrimaryWeight, int CanaryWeight, bool Mirrored);

/// <summary>
/// Everything the reconciler observed from its caches before deciding. The machine never reads anything else.
/// </summary>
internal sealed record Observation
{
    /// <summary><c>metadata.deletionTimestamp</c> is set.</summary>
    public bool DeletionRequested { get; init; }

    /// <summary><c>metadata.finalizers</c> contains <c>finalizer.flagger.app</c>.</summary>
    public bool HasFinalizer { get; init; }

    /// <summary>
    /// A problem that stops the tick before anything is decided (target not found, no selector label, router
    /// object unreadable...): emitted as a Warning event and nothing else happens. Null when all is well.
    /// </summary>
    public string? BlockingError { get; init; }

    /// <summary>
    /// Our revision hash of the target's pod template (Deployment/DaemonSet) or spec (Service). It must never look like
    /// an upstream hash (1–10 characters of <c>bcdfghjklmnpqrstvwxz2456789</c>), see <see cref="RevisionComparer"/>.
    /// </summary>
    public string TargetRevision { get; init; } = "";

    /// <summary>Current tracked-config checksums (<c>configmap/&lt;n&gt;</c>, <c>secret/&lt;n&gt;</c>); null when config tracking is disabled.</summary>
    public IReadOnlyDictionary<string, string>? TrackedConfigs { get; init; }

    /// <summary>
    /// The <c>&lt;target&gt;-primary</c> workload with <c>analysis.primaryReadyThreshold</c>. A missing primary is
    /// <see cref="ReadinessState.NotReady"/> with a message saying so (the tick then emits <see cref="EnsurePrimaryWorkload"/>).
    /// </summary>
    public WorkloadObservation Primary { get; init; } = WorkloadObservation.ReadyUp;

    /// <summary>
    /// The target (canary) workload with <c>analysis.canaryReadyThreshold</c>; <see cref="WorkloadObservation.Scale"/>
    /// must be filled: the machine never routes traffic to a canary that is scaled to zero. For DaemonSets the progress
    /// deadline is measured from <c>status.lastTransitionTime</c> as upstream does.
    /// </summary>
    public WorkloadObservation Canary { get; init; } = WorkloadObservation.ReadyAtZero;

    /// <summary>
    /// Current routes as the mesh router's <c>GetRoutes</c> reports them; null when the router could not report them
    /// (then <see cref="RoutesError"/> is the event text). For the <c>kubernetes</c> provider report what upstream's
    /// NopRouter reports: <c>0/100</c> once <c>status.iterations &gt; 0</c>, else <c>100/0</c> (pkg/router/nop.go).
    /// </summary>
    public RouteObservation? Routes { get; init; } = new RouteObservation(100, 0, false);

    /// <summary>The router's error text when <see cref="Routes"/> is null.</summary>
    public string? RoutesError { get; init; }
}
