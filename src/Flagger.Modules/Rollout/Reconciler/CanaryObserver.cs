using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using k8s.Models;
using WorkloadReadiness = Flagger.Modules.Workloads.Contracts.Readiness;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Builds the state machine's <see cref="Observation"/> of one canary from the caches, through the Workloads and
/// Routing contracts: target revision and tracked configs, primary and canary readiness and scale, current routes.
/// Reads only caches; problems become data (a blocking error or a routes error), never exceptions.
/// </summary>
internal sealed class CanaryObserver(IKubeCache cache, ITargetControllerFactory workloads, IRoutingFactory routing)
{
    public async Task<Observation> ObserveAsync(Canary canary, CancellationToken cancellationToken)
    {
        var observation = new Observation
        {
            DeletionRequested = canary.Metadata.DeletionTimestamp is not null,
            HasFinalizer = canary.Metadata.Finalizers?.Contains(CanaryStateMachine.Finalizer) == true,
        };

        try
        {
            var target = workloads.Create(canary);
            var revision = await target.GetTargetRevisionAsync(canary, cancellationToken);
            observation = observation with
            {
                TargetRevision = revision,
                TrackedConfigs = await target.GetTrackedConfigsAsync(canary, cancellationToken),
                Primary = Map(await target.IsPrimaryReadyAsync(canary, cancellationToken), ScaleState.Up),
                Canary = Map(await target.IsCanaryReadyAsync(canary, cancellationToken), TargetScale(canary)),
            };
        }
        catch (WorkloadException e)
        {
            return observation with { BlockingError = e.Message };
        }

        try
        {
            var split = await routing.TrafficRouter(canary).GetRoutesAsync(canary, cancellationToken);
            return observation with { Routes = new RouteObservation(split.PrimaryWeight, split.CanaryWeight, split.Mirrored) };
        }
        catch (Exception e) when (e is RoutingException or KubeApiException)
        {
            return observation with { Routes = null, RoutesError = e.Message };
        }
    }

    /// <summary>The target revision and configs only: enough to tell whether a watch event needs a reaction.</summary>
    public async Task<(string Revision, IReadOnlyDictionary<string, string>? Configs)?> ObserveRevisionAsync(Canary canary, CancellationToken cancellationToken)
    {
        try
        {
            var target = workloads.Create(canary);
            var revision = await target.GetTargetRevisionAsync(canary, cancellationToken);
            return (revision, await target.GetTrackedConfigsAsync(canary, cancellationToken));
        }
        catch (WorkloadException)
        {
            return null;
        }
    }

    private static WorkloadObservation Map(WorkloadReadiness readiness, ScaleState scale) => new(
        readiness.State switch
        {
            ReadinessState.Ready => StateMachine.Readiness.Ready,
            ReadinessState.DeadlineExceeded => StateMachine.Readiness.DeadlineExceeded,
            _ => StateMachine.Readiness.NotReady,
        },
        readiness.Message,
        scale);

    // upstream: ScaleToZero sets Deployment replicas 0, DaemonSet the flagger.app/scale-to-zero node selector.
    private ScaleState TargetScale(Canary canary)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var name = canary.Spec.TargetRef?.Name ?? "";
        return canary.Spec.TargetRef?.Kind switch
        {
            "Deployment" => cache.Get<V1Deployment>(ns, name)?.Spec?.Replicas == 0 ? ScaleState.Zero : ScaleState.Up,
            "DaemonSet" => cache.Get<V1DaemonSet>(ns, name)?.Spec?.Template?.Spec?.NodeSelector?.ContainsKey("flagger.app/scale-to-zero") == true
                ? ScaleState.Zero
                : ScaleState.Up,
            _ => ScaleState.NotApplicable,
        };
    }
}
