using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Workloads;

/// <summary>No autoscalerRef: nothing to reconcile.</summary>
internal sealed class NoPrimaryScaler : IPrimaryScaler
{
    public static NoPrimaryScaler Instance { get; } = new();

    public Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public int? ScaleFromZeroReplicas(Canary canary) => null;
}
