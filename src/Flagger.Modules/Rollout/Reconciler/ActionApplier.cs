using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Shared.Telemetry;
using Flagger.Modules.Workloads.Contracts;
using k8s;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Carries out the state machine's actions through the module contracts, in order. The canary object is threaded
/// through: writes to it (finalizers, status) return the new version, which later writes must use.
/// </summary>
internal sealed class ActionApplier(
    IKubeWriter writer,
    ITargetControllerFactory workloads,
    IRoutingFactory routing,
    ICanaryAnalyzer analyzer,
    GateRunner gates,
    CanaryNotifier notifier,
    FlaggerMetrics metrics)
{
    /// <summary>Applies one action; returns the canary as it is after the action.</summary>
    public async Task<Canary> ApplyAsync(Canary canary, CanaryAction action, Decision decision, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var target = canary.Spec.TargetRef?.Name ?? "";
        switch (action)
        {
            case EnsureCanaryAndPrimaryServices:
                await routing.ServiceRouter(canary).InitializeAsync(canary, await ServiceTargetAsync(canary, cancellationToken), cancellationToken);
                break;
            case EnsureApexService:
                await routing.ServiceRouter(canary).ReconcileAsync(canary, await ServiceTargetAsync(canary, cancellationToken), cancellationToken);
                break;
            case EnsureMeshRoutes:
                await routing.TrafficRouter(canary).ReconcileAsync(canary, cancellationToken);
                break;
            case SetRoutes set:
                var cookies = SessionAffinityCookies.FromStatus(decision.Status ?? canary.Status);
                await routing.TrafficRouter(canary).SetRoutesAsync(canary, new TrafficSplit(set.PrimaryWeight, set.CanaryWeight, set.Mirrored), cookies, cancellationToken);
                break;
            case EnsurePrimaryWorkload:
                await workloads.Create(canary).InitializeAsync(canary, cancellationToken);
                break;
            case EnsurePrimaryScaler:
                await workloads.Create(canary).ReconcilePrimaryScalerAsync(canary, init: true, cancellationToken);
                break;
            case SyncPrimaryScaler:
                await workloads.Create(canary).ReconcilePrimaryScalerAsync(canary, init: false, cancellationToken);
                break;
            case PauseTargetScaler:
                await workloads.Create(canary).PauseTargetScalerAsync(canary, cancellationToken);
                break;
            case ResumeTargetScaler:
                await workloads.Create(canary).ResumeTargetScalerAsync(canary, cancellationToken);
                break;
            case ScaleTargetToZero:
                await workloads.Create(canary).ScaleToZeroAsync(canary, cancellationToken);
                break;
            case ScaleTargetUp:
                await workloads.Create(canary).ScaleFromZeroAsync(canary, cancellationToken);
                break;
            case PromoteTarget:
                // Idempotent in the Workloads module: a primary that already matches the target is not written.
                await workloads.Create(canary).PromoteAsync(canary, cancellationToken);
                break;
            case CheckMetricProviders:
                var availability = await analyzer.CheckProvidersAsync(canary, cancellationToken);
                await notifier.EventAsync(canary, warning: !availability.Available, availability.Message, cancellationToken);
                break;
            case RunPostRolloutHooks post:
                await PostRolloutAsync(canary, post.Phase, cancellationToken);
                break;
            case EmitEvent e:
                await notifier.EventAsync(canary, e.Type == EventType.Warning, e.Message, cancellationToken);
                break;
            case SendAlert alert:
                await notifier.AlertAsync(canary, alert.Severity, alert.Message, alert.WithMetadata, cancellationToken);
                break;
            case RecordStatusMetric status:
                metrics.SetStatus(target, ns, status.Phase);
                break;
            case RecordWeightMetric weight:
                metrics.SetWeight(target, ns, weight.PrimaryWeight, weight.CanaryWeight);
                break;
            case RecordRunOutcome outcome when outcome.Succeeded:
                metrics.IncSuccesses(target, ns, outcome.Strategy, outcome.AnalysisSkipped);
                break;
            case RecordRunOutcome outcome:
                metrics.IncFailures(target, ns, outcome.Strategy, outcome.AnalysisSkipped);
                break;
            case AddFinalizer:
                return await SetFinalizerAsync(canary, present: true, cancellationToken);
            case RemoveFinalizer:
                return await SetFinalizerAsync(canary, present: false, cancellationToken);
            case RevertTarget:
                await workloads.Create(canary).FinalizeAsync(canary, cancellationToken);
                break;
            case RevertServices:
                await routing.ServiceRouter(canary).FinalizeAsync(canary, await ServiceTargetAsync(canary, cancellationToken), cancellationToken);
                break;
            case RevertMeshRoutes:
                await routing.TrafficRouter(canary).FinalizeAsync(canary, cancellationToken);
                break;
            case WriteStatus write:
                var updated = Clone(canary);
                updated.Status = write.Status;
                return await writer.ReplaceStatusAsync(updated, cancellationToken);
            default:
                throw new InvalidOperationException($"no handler for action {action.GetType().Name}");
        }

        return canary;
    }

    private async Task PostRolloutAsync(Canary canary, CanaryPhase phase, CancellationToken cancellationToken)
    {
        var outcome = await gates.PostRolloutAsync(canary, phase, cancellationToken);
        foreach (var result in outcome.Results)
        {
            await notifier.EventAsync(
                canary,
                warning: !result.Succeeded,
                result.Succeeded ? $"Post-rollout check {result.Name} passed" : $"Post-rollout hook {result.Name} failed {result.Error}",
                cancellationToken);
        }
    }

    private async Task<ServiceTarget> ServiceTargetAsync(Canary canary, CancellationToken cancellationToken)
    {
        var metadata = await workloads.Create(canary).GetMetadataAsync(canary, cancellationToken);
        return new ServiceTarget(metadata.Label, metadata.LabelValue, metadata.Ports);
    }

    private async Task<Canary> SetFinalizerAsync(Canary canary, bool present, CancellationToken cancellationToken)
    {
        var finalizers = canary.Metadata.Finalizers ?? [];
        if (finalizers.Contains(CanaryStateMachine.Finalizer) == present)
        {
            return canary;
        }

        var updated = Clone(canary);
        updated.Metadata.Finalizers = present
            ? [.. finalizers, CanaryStateMachine.Finalizer]
            : [.. finalizers.Where(f => f != CanaryStateMachine.Finalizer)];
        return await writer.ReplaceAsync(updated, cancellationToken);
    }

    private static Canary Clone(Canary canary) => KubernetesJson.Deserialize<Canary>(KubernetesJson.Serialize(canary));
}
