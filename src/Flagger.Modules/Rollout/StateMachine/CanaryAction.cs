using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>
/// One effect the reconciler must carry out, in list order. Contract for every action:
/// <list type="bullet">
/// <item>Idempotent: applying it again (after a crash, or on the next tick) converges to the same state and writes
/// nothing when the cluster already matches (diff against the cache first).</item>
/// <item>Failure before <see cref="WriteStatus"/>: stop the tick, emit a Warning event with the error (reason
/// <c>Synced</c>), skip the remaining actions and the status write; the next tick decides again from fresh
/// observations. Failure after <see cref="WriteStatus"/>: log, emit the Warning event, continue.</item>
/// </list>
/// </summary>
internal abstract record CanaryAction;

/// <summary>Kubernetes router <c>Initialize</c>: create/update <c>&lt;svc&gt;-canary</c> and <c>&lt;svc&gt;-primary</c> Services. Idempotent (update only on diff).</summary>
internal sealed record EnsureCanaryAndPrimaryServices : CanaryAction;

/// <summary>Workloads <c>Initialize</c>: create <c>&lt;target&gt;-primary</c> (and <c>-primary</c> ConfigMaps/Secrets) when absent. Never touches an existing primary.</summary>
internal sealed record EnsurePrimaryWorkload : CanaryAction;

/// <summary><c>ReconcilePrimaryScaler(init: true)</c>: create the primary HPA/ScaledObject when absent (only emitted with <c>autoscalerRef</c>).</summary>
internal sealed record EnsurePrimaryScaler : CanaryAction;

/// <summary><c>ReconcilePrimaryScaler(init: false)</c>: sync the primary HPA/ScaledObject from the target's (Promoting, skipAnalysis).</summary>
internal sealed record SyncPrimaryScaler : CanaryAction;

/// <summary>KEDA: annotate the target ScaledObject <c>autoscaling.keda.sh/paused-replicas: "0"</c>; HPA: no-op. Only with <c>autoscalerRef</c>.</summary>
internal sealed record PauseTargetScaler : CanaryAction;

/// <summary>KEDA: remove the paused-replicas annotation; HPA: no-op. Only with <c>autoscalerRef</c>.</summary>
internal sealed record ResumeTargetScaler : CanaryAction;

/// <summary>Kubernetes router <c>Reconcile</c>: apex <c>&lt;svc&gt;</c> selects <c>&lt;value&gt;-primary</c> (takes over a user's Service).</summary>
internal sealed record EnsureApexService : CanaryAction;

/// <summary>Mesh router <c>Reconcile</c>: create/update the routing objects (VirtualService, DestinationRules...) ignoring weights.</summary>
internal sealed record EnsureMeshRoutes : CanaryAction;

/// <summary>
/// Check that the metric providers answer; on success emit Normal <c>all the metrics providers are available!</c>,
/// otherwise Warning <c>Error checking metric providers: &lt;err&gt;</c>. Never blocks the tick.
/// </summary>
internal sealed record CheckMetricProviders : CanaryAction;

/// <summary>Scale the target to zero (Deployment <c>replicas: 0</c>; DaemonSet node selector <c>flagger.app/scale-to-zero: "true"</c>).</summary>
internal sealed record ScaleTargetToZero : CanaryAction;

/// <summary>Scale the target from zero (upstream <c>ScaleFromZero</c> replica rules; DaemonSet: remove the node selector).</summary>
internal sealed record ScaleTargetUp : CanaryAction;

/// <summary>
/// Mesh router <c>SetRoutes</c> with the session-affinity <see cref="Cookies"/> the machine decided for this split
/// (<see cref="SessionAffinityCookies.ForStep"/>: new cookie when traffic starts, previous cookie on return to 0); the
/// same cookies are in the decision's status write. The machine only emits a split with canary traffic (weight &gt; 0
/// or mirrored) when the canary is ready and not scaled to zero. Idempotent: same weights → no write.
/// </summary>
internal sealed record SetRoutes(int PrimaryWeight, int CanaryWeight, bool Mirrored) : CanaryAction
{
    /// <summary>The cookies to render, as the status holds them after this step (<see cref="SessionAffinityCookies.None"/> when the canary has none).</summary>
    public SessionAffinityCookies Cookies { get; init; } = SessionAffinityCookies.None;
}

/// <summary>
/// Workloads <c>Promote</c>: copy the target's pod template/spec and tracked ConfigMaps/Secrets to the <c>-primary</c>
/// objects (fresh <c>flagger-id</c>). To stay idempotent across a crash, skip when the primary already carries the
/// target revision <paramref name="Revision"/>.
/// </summary>
internal sealed record PromoteTarget(string Revision) : CanaryAction;

/// <summary>
/// Run <c>post-rollout</c> webhooks with payload phase <paramref name="Phase"/> (Succeeded or Failed); per hook emit
/// Normal <c>Post-rollout check &lt;hook&gt; passed</c> or Warning <c>Post-rollout hook &lt;hook&gt; failed &lt;err&gt;</c>
/// and stop at the first failure. Always placed after <see cref="WriteStatus"/> (at most once).
/// </summary>
internal sealed record RunPostRolloutHooks(CanaryPhase Phase) : CanaryAction;

/// <summary>Kubernetes event type.</summary>
internal enum EventType
{
    Normal,
    Warning,
}

/// <summary>Record a Kubernetes Event on the Canary, reason <c>Synced</c>, with this exact message (also forwarded to event webhooks).</summary>
internal sealed record EmitEvent(EventType Type, string Message) : CanaryAction;

/// <summary>
/// Send a notification through the Alerting module (per-canary alerts or the global notifier). With
/// <paramref name="WithMetadata"/> the fields <c>Target</c>, <c>Failed checks threshold</c>, <c>Progress deadline</c>,
/// <c>Traffic routing</c> are added (upstream <c>alert(..., metadata=true, ...)</c>). Failures are logged only.
/// </summary>
internal sealed record SendAlert(AlertSeverity Severity, string Message, bool WithMetadata) : CanaryAction;

/// <summary>Set <c>flagger_canary_status</c> for this phase (no API call).</summary>
internal sealed record RecordStatusMetric(CanaryPhase Phase) : CanaryAction;

/// <summary>Set <c>flagger_canary_weight</c> (no API call).</summary>
internal sealed record RecordWeightMetric(int PrimaryWeight, int CanaryWeight) : CanaryAction;

/// <summary>Increment <c>flagger_canary_successes_total</c> or <c>flagger_canary_failures_total</c> with <paramref name="Strategy"/> (<c>canary</c>, <c>blue-green</c>, <c>ab-testing</c>) and analysis status <c>skipped</c>/<c>completed</c>.</summary>
internal sealed record RecordRunOutcome(bool Succeeded, string Strategy, bool AnalysisSkipped) : CanaryAction;

/// <summary>Add <c>finalizer.flagger.app</c> to the Canary (update with conflict retry; no-op when present).</summary>
internal sealed record AddFinalizer : CanaryAction;

/// <summary>Remove <c>finalizer.flagger.app</c> from the Canary (no-op when absent).</summary>
internal sealed record RemoveFinalizer : CanaryAction;

/// <summary>Workloads <c>Finalize</c>: give the target the primary's replicas (scale from zero when the primary is missing; DaemonSet: drop the scale-to-zero selector).</summary>
internal sealed record RevertTarget : CanaryAction;

/// <summary>Kubernetes router <c>Finalize</c>: restore the apex Service selector (last-applied configuration, else <c>&lt;label&gt;: &lt;value&gt;</c>).</summary>
internal sealed record RevertServices : CanaryAction;

/// <summary>Mesh router <c>Finalize</c>: restore the user's routing object (Istio: original configuration annotation).</summary>
internal sealed record RevertMeshRoutes : CanaryAction;

/// <summary>
/// Write <paramref name="Status"/> as the Canary's status subresource (replace the whole status; retry on conflict by
/// re-reading and re-deciding, never by blindly re-writing). At most one per decision.
/// </summary>
internal sealed record WriteStatus(CanaryStatus Status) : CanaryAction;
