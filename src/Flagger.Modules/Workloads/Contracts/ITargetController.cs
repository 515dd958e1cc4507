using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Workloads.Contracts;

/// <summary>
/// The workload side of one canary, per <c>spec.targetRef.kind</c> (Deployment, DaemonSet, Service): owns the
/// <c>&lt;target&gt;-primary</c> copy, its ConfigMaps/Secrets and HPA, scaling of the target, readiness and the revision
/// hash. Reads come from the informer caches only; every write is skipped when the object already has the desired
/// content, so calling any method twice in a row writes nothing the second time.
/// Port of upstream's <c>pkg/canary</c> <c>Controller</c> interface (plus its <c>ScalerReconciler</c>).
/// </summary>
/// <remarks>
/// Errors: a method throws <see cref="WorkloadException"/> (message as upstream's, e.g.
/// <c>deployment podinfo.test get query error: deployments.apps "podinfo" not found</c>) for anything that the next
/// tick may fix (missing target, conflict, API failure, invalid selector); the reconciler records a Warning event with
/// the message and returns. A non-retriable outcome (progress deadline) is never an exception: it is
/// <see cref="ReadinessState.DeadlineExceeded"/>.
/// </remarks>
/// <example>
/// <code>
/// var controller = factory.Create(canary);
/// var init = await controller.InitializeAsync(canary, ct);
/// if (init.State == ReadinessState.DeadlineExceeded) { /* rollback */ }
/// </code>
/// </example>
public interface ITargetController
{
    /// <summary>The <c>targetRef.kind</c> this controller serves (<c>Deployment</c>, <c>DaemonSet</c>, <c>Service</c>).</summary>
    string Kind { get; }

    /// <summary>
    /// Selector label and value of the target, plus discovered ports when <c>service.portDiscovery</c> is on
    /// (upstream <c>GetMetadata</c>). Service targets return an empty label and value.
    /// </summary>
    Task<TargetMetadata> GetMetadataAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Creates <c>&lt;target&gt;-primary</c> (and the primary ConfigMaps/Secrets) when it does not exist; an existing
    /// primary is never modified here (only <see cref="PromoteAsync"/> changes it). Service targets: creates
    /// <c>&lt;target&gt;-primary</c> once and creates/updates <c>&lt;target&gt;-canary</c>. Then, only when the phase is
    /// <c>""</c>/<c>Initializing</c> and analysis is not skipped, reports primary readiness; otherwise Ready.
    /// </summary>
    Task<Readiness> InitializeAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>Readiness of <c>&lt;target&gt;-primary</c> against <c>analysis.primaryReadyThreshold</c> and <c>progressDeadlineSeconds</c>.</summary>
    Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>Readiness of the target (canary) against <c>analysis.canaryReadyThreshold</c> and <c>progressDeadlineSeconds</c>.</summary>
    Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Our revision hash of the target (pod template, or Service spec), 16 lowercase hex characters. Whether it is a new
    /// revision is the Rollout module's one revision rule (it also weighs tracked configs and upstream's hash format).
    /// </summary>
    Task<string> GetTargetRevisionAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// <c>status.trackedConfigs</c> as upstream computes it (<c>configmap/&lt;name&gt;</c>, <c>secret/&lt;name&gt;</c> →
    /// checksum); null when config tracking is disabled or the kind has no configs (Service). Throws when a required
    /// (non-optional) ConfigMap/Secret is missing.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>?> GetTrackedConfigsAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Copies the target to the primary (upstream <c>Promote</c>): primary ConfigMaps/Secrets synced, pod spec with
    /// tracked refs suffixed <c>-primary</c>, template labels with the selector label rewritten, template annotations plus
    /// <c>flagger-id</c>, metadata filtered by <c>include-label-prefix</c>, replicas copied only without an autoscaler.
    /// </summary>
    Task PromoteAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the target is scaled to zero as <see cref="ScaleToZeroAsync"/> leaves it: Deployment <c>replicas: 0</c>,
    /// DaemonSet with the <c>flagger.app/scale-to-zero</c> nodeSelector; a Service target never is. Traffic must never
    /// be routed to a target scaled to zero.
    /// </summary>
    Task<bool> IsScaledToZeroAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>Scales the target to zero (Deployment <c>replicas: 0</c>; DaemonSet nodeSelector <c>flagger.app/scale-to-zero: "true"</c>; Service no-op).</summary>
    Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>Scales the target up for a run (Deployment replica choice as upstream; DaemonSet removes the scale-to-zero nodeSelector; Service no-op).</summary>
    Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Reconciles <c>&lt;autoscaler&gt;-primary</c> when <c>spec.autoscalerRef</c> is set: creates it when absent; with
    /// <paramref name="init"/> false (Promoting) also syncs min/max/metrics/behavior from the target's autoscaler.
    /// </summary>
    Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken);

    /// <summary>Pauses the target's autoscaler between runs (HPA: nothing to do; KEDA: <c>autoscaling.keda.sh/paused-replicas: "0"</c>).</summary>
    Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>Resumes the target's autoscaler for a run (HPA: nothing to do; KEDA: removes the paused-replicas annotation).</summary>
    Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Reverts the target on deletion with <c>revertOnDeletion</c> (upstream <c>Finalize</c>): Deployment gets the
    /// primary's replicas (or <see cref="ScaleFromZeroAsync"/> when the primary is gone); DaemonSet loses the
    /// scale-to-zero nodeSelector; Service nothing.
    /// </summary>
    Task FinalizeAsync(Canary canary, CancellationToken cancellationToken);
}
