using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Carries out a decision's actions in order through the step's target controller and routers; the status write is
/// one of them (<see cref="WriteStatus"/>), the only status write of a step. The step's canary is threaded through:
/// writes to it (finalizers, status) return the new version, which later writes must use.
/// </summary>
internal sealed class ActionApplier(
    IKubeWriter writer,
    ICanaryAnalyzer analyzer,
    GateRunner gates,
    CanaryNotifier notifier,
    CanaryTelemetry telemetry)
{
    /// <summary>
    /// Applies every action of <paramref name="decision"/>. An action that fails before the status write ends the step
    /// with a Warning event and no status change, so the next step decides again from fresh observations; after the
    /// status write a failure is reported the same way and the remaining actions still run. A conflict before the
    /// status write is thrown: the canary changed, the step is retried from the newer version.
    /// </summary>
    public async Task ApplyAsync(StepContext step, Decision decision, CancellationToken cancellationToken)
    {
        var statusWritten = false;
        foreach (var action in decision.Actions)
        {
            try
            {
                await ApplyAsync(step, action, cancellationToken);
                statusWritten |= action is WriteStatus;
            }
            catch (KubeApiException e) when (e.IsConflict && !statusWritten)
            {
                throw;
            }
            catch (Exception e) when (e is KubeApiException or WorkloadException or RoutingException)
            {
                await notifier.EventAsync(step, warning: true, e.Message, cancellationToken);
                if (!statusWritten)
                {
                    // Before the status write: stop; the next step decides again.
                    return;
                }
            }
        }

        if (decision.ObserveDuration)
        {
            telemetry.Duration(step);
        }
    }

    private async Task ApplyAsync(StepContext step, CanaryAction action, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case AddFinalizer:
                step.Advance(await SetFinalizerAsync(step.Canary, present: true, cancellationToken));
                return;
            case RemoveFinalizer when step.Unreadable:
                await RemoveFinalizerByPatchAsync(step.Canary, cancellationToken);
                return;
            case RemoveFinalizer:
                step.Advance(await SetFinalizerAsync(step.Canary, present: false, cancellationToken));
                return;
            case WriteStatus write when step.Unreadable:
                step.Advance(await WriteStatusOnlyAsync(step.Canary, write.Status, cancellationToken));
                return;
            case WriteStatus write:
                var updated = Clone(step.Canary);
                updated.Status = write.Status;
                step.Advance(await writer.ReplaceStatusAsync(updated, cancellationToken));
                return;
            case RecordStatusMetric status:
                telemetry.Status(step, status.Phase);
                return;
            case RecordWeightMetric weight:
                telemetry.Weight(step, weight.PrimaryWeight, weight.CanaryWeight);
                return;
            case RecordRunOutcome outcome:
                telemetry.RunOutcome(step, outcome.Succeeded, outcome.Strategy, outcome.AnalysisSkipped);
                return;
            case EmitEvent e:
                await notifier.EventAsync(step, e.Type == EventType.Warning, e.Message, cancellationToken);
                return;
            case SendAlert alert:
                await notifier.AlertAsync(step, alert.Severity, alert.Message, alert.WithMetadata, cancellationToken);
                return;
            case CheckMetricProviders:
                var availability = await analyzer.CheckProvidersAsync(step.Canary, cancellationToken);
                await notifier.EventAsync(step, warning: !availability.Available, availability.Message, cancellationToken);
                return;
            case RunPostRolloutHooks post:
                await PostRolloutAsync(step, post.Phase, cancellationToken);
                return;
        }

        await (TargetAction(step, action, cancellationToken)
            ?? RoutingAction(step, action, cancellationToken)
            ?? throw new InvalidOperationException($"no handler for action {action.GetType().Name}"));
    }

    // Every Workloads write is idempotent in the module: e.g. a primary that already matches the target is not written.
    private static Task? TargetAction(StepContext step, CanaryAction action, CancellationToken cancellationToken) => action switch
    {
        EnsurePrimaryWorkload => step.Target.InitializeAsync(step.Canary, cancellationToken),
        EnsurePrimaryScaler => step.Target.ReconcilePrimaryScalerAsync(step.Canary, init: true, cancellationToken),
        SyncPrimaryScaler => step.Target.ReconcilePrimaryScalerAsync(step.Canary, init: false, cancellationToken),
        PauseTargetScaler => step.Target.PauseTargetScalerAsync(step.Canary, cancellationToken),
        ResumeTargetScaler => step.Target.ResumeTargetScalerAsync(step.Canary, cancellationToken),
        ScaleTargetToZero => step.Target.ScaleToZeroAsync(step.Canary, cancellationToken),
        ScaleTargetUp => step.Target.ScaleFromZeroAsync(step.Canary, cancellationToken),
        PromoteTarget => step.Target.PromoteAsync(step.Canary, cancellationToken),
        RevertTarget => step.Target.FinalizeAsync(step.Canary, cancellationToken),
        _ => null,
    };

    private static Task? RoutingAction(StepContext step, CanaryAction action, CancellationToken cancellationToken) => action switch
    {
        EnsureCanaryAndPrimaryServices or EnsureApexService or RevertServices => ServicesAsync(step, action, cancellationToken),
        EnsureMeshRoutes => step.TrafficRouter.ReconcileAsync(step.Canary, cancellationToken),
        SetRoutes set => step.TrafficRouter.SetRoutesAsync(
            step.Canary,
            new TrafficSplit(set.PrimaryWeight, set.CanaryWeight, set.Mirrored),
            set.Cookies,
            cancellationToken),
        RevertMeshRoutes => step.TrafficRouter.FinalizeAsync(step.Canary, cancellationToken),
        _ => null,
    };

    private static async Task ServicesAsync(StepContext step, CanaryAction action, CancellationToken cancellationToken)
    {
        var router = step.ServiceRouter;
        var metadata = await step.Target.GetMetadataAsync(step.Canary, cancellationToken);
        var target = new ServiceTarget(metadata.Label, metadata.LabelValue, metadata.Ports);
        await (action switch
        {
            EnsureCanaryAndPrimaryServices => router.InitializeAsync(step.Canary, target, cancellationToken),
            EnsureApexService => router.ReconcileAsync(step.Canary, target, cancellationToken),
            _ => router.FinalizeAsync(step.Canary, target, cancellationToken),
        });
    }

    private async Task PostRolloutAsync(StepContext step, CanaryPhase phase, CancellationToken cancellationToken)
    {
        var outcome = await gates.PostRolloutAsync(step, phase, cancellationToken);
        foreach (var result in outcome.Results)
        {
            await notifier.EventAsync(
                step,
                warning: !result.Succeeded,
                result.Succeeded ? $"Post-rollout check {result.Name} passed" : $"Post-rollout hook {result.Name} failed {result.Error}",
                cancellationToken);
        }
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

    // The spec cannot be read, so the object cannot be replaced: a JSON patch removes our finalizer at the index seen, and
    // its test operation makes the server refuse it (422) if the list changed meanwhile; the next step sees the new list.
    private async Task RemoveFinalizerByPatchAsync(Canary canary, CancellationToken cancellationToken)
    {
        var index = canary.Metadata.Finalizers?.IndexOf(CanaryStateMachine.Finalizer) ?? -1;
        if (index < 0)
        {
            return;
        }

        var patch = $$"""[{"op":"test","path":"/metadata/finalizers/{{index}}","value":"{{CanaryStateMachine.Finalizer}}"},{"op":"remove","path":"/metadata/finalizers/{{index}}"}]""";
        await writer.PatchAsync<CanaryStatusUpdate>(canary.Metadata.NamespaceProperty ?? "", canary.Metadata.Name, new V1Patch(patch, V1Patch.PatchType.JsonPatch), cancellationToken);
    }

    // The spec cannot be read, so the write must not send one back nor read the one the server answers with.
    private async Task<Canary> WriteStatusOnlyAsync(Canary canary, CanaryStatus status, CancellationToken cancellationToken)
    {
        var written = await writer.ReplaceStatusAsync(new CanaryStatusUpdate { Metadata = canary.Metadata, Status = status }, cancellationToken);
        var next = Clone(canary);
        next.Metadata = written.Metadata;
        next.Status = written.Status;
        return next;
    }

    private static Canary Clone(Canary canary) => KubernetesJson.Deserialize<Canary>(KubernetesJson.Serialize(canary));
}
