using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Builds the state machine's <see cref="Observation"/> of one canary from the caches, through the step's target
/// controller and traffic router: target revision and tracked configs, primary and canary readiness and scale, current
/// routes. Reads only caches; problems become data (a blocking error or a routes error), never exceptions.
/// </summary>
internal sealed class CanaryObserver
{
    public async Task<Observation> ObserveAsync(StepContext step, CancellationToken cancellationToken)
    {
        var canary = step.Canary;
        var observation = new Observation
        {
            DeletionRequested = canary.Metadata.DeletionTimestamp is not null,
            HasFinalizer = canary.Metadata.Finalizers?.Contains(CanaryStateMachine.Finalizer) == true,
        };

        try
        {
            var target = step.Target;
            var revision = await target.GetTargetRevisionAsync(canary, cancellationToken);
            observation = observation with
            {
                TargetRevision = revision,
                TrackedConfigs = await target.GetTrackedConfigsAsync(canary, cancellationToken),
                Primary = Map(await target.IsPrimaryReadyAsync(canary, cancellationToken), ScaleState.Up),
                Canary = Map(
                    await target.IsCanaryReadyAsync(canary, cancellationToken),
                    await target.IsScaledToZeroAsync(canary, cancellationToken) ? ScaleState.Zero : ScaleState.Up),
            };
        }
        catch (WorkloadException e)
        {
            return observation with { BlockingError = e.Message };
        }

        try
        {
            var split = await step.TrafficRouter.GetRoutesAsync(canary, cancellationToken);
            return observation with { Routes = new RouteObservation(split.PrimaryWeight, split.CanaryWeight, split.Mirrored) };
        }
        catch (Exception e) when (e is RoutingException or KubeApiException)
        {
            return observation with { Routes = null, RoutesError = e.Message };
        }
    }

    /// <summary>The target revision and configs only: enough to tell whether a watch event needs a reaction.</summary>
    public async Task<(string Revision, IReadOnlyDictionary<string, string>? Configs)?> ObserveRevisionAsync(StepContext step, CancellationToken cancellationToken)
    {
        try
        {
            var target = step.Target;
            var revision = await target.GetTargetRevisionAsync(step.Canary, cancellationToken);
            return (revision, await target.GetTrackedConfigsAsync(step.Canary, cancellationToken));
        }
        catch (WorkloadException)
        {
            return null;
        }
    }

    private static WorkloadObservation Map(Readiness readiness, ScaleState scale) => new(readiness.State, readiness.Message, scale);
}
