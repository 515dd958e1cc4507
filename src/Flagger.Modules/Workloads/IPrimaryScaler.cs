using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Workloads;

/// <summary>The primary autoscaler of a canary (upstream <c>ScalerReconciler</c>); chosen by <c>autoscalerRef.kind</c>.</summary>
internal interface IPrimaryScaler
{
    Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken);

    Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken);

    Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>The replicas scale-from-zero should use from this autoscaler, or null to fall back to 1.</summary>
    int? ScaleFromZeroReplicas(Canary canary);
}
