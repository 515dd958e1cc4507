using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>Deployment targets: <c>&lt;target&gt;-primary</c> Deployment, replicas-based scaling, Deployment readiness.</summary>
// upstream: pkg/canary/deployment_controller.go, deployment_ready.go, deployment_status.go
internal sealed partial class DeploymentController(
    IKubeCache cache,
    IKubeWriter writer,
    ConfigTracker configs,
    IPrimaryScaler scaler,
    WorkloadOptions options,
    TimeProvider time,
    ILogger logger) : ITargetController
{
    public string Kind => "Deployment";

    public Task<TargetMetadata> GetMetadataAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        var (label, value) = SelectorLabel(target);
        var ports = canary.Spec.Service?.PortDiscovery == true
            ? PortDiscovery.Discover(canary.Spec.Service, target.Spec.Template?.Spec?.Containers)
            : new Dictionary<string, int>();
        return Task.FromResult(new TargetMetadata(label, value, ports));
    }

    public async Task<Readiness> InitializeAsync(Canary canary, CancellationToken cancellationToken)
    {
        try
        {
            await CreatePrimaryAsync(canary, cancellationToken);
        }
        catch (WorkloadException e)
        {
            throw new WorkloadException($"createPrimaryDeployment failed: {e.Message}", e);
        }

        return CanaryFacts.IsInitializing(canary) && !CanaryFacts.SkipAnalysis(canary)
            ? await IsPrimaryReadyAsync(canary, cancellationToken)
            : Readiness.Ready;
    }

    public Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var primary = cache.Get<V1Deployment>(ns, primaryName);
        if (primary is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(primaryName, ns)));
        }

        var verdict = WorkloadReadiness.Deployment(primary, CanaryFacts.ProgressDeadlineSeconds(canary), CanaryFacts.PrimaryReadyThreshold(canary), time.GetUtcNow());
        return Task.FromResult(ToReadiness(verdict, $"{primaryName}.{ns} not ready: "));
    }

    public Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var targetName = CanaryFacts.TargetName(canary);
        var target = cache.Get<V1Deployment>(ns, targetName);
        if (target is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(targetName, ns)));
        }

        var verdict = WorkloadReadiness.Deployment(target, CanaryFacts.ProgressDeadlineSeconds(canary), CanaryFacts.CanaryReadyThreshold(canary), time.GetUtcNow());
        return Task.FromResult(ToReadiness(verdict, $"canary deployment {targetName}.{ns} not ready: "));
    }

    public Task<TargetRevision> GetTargetRevisionAsync(Canary canary, CancellationToken cancellationToken)
    {
        var hash = RevisionHash.OfSnapshot(GetTarget(canary).Spec.Template);
        return Task.FromResult(new TargetRevision(hash, RevisionHash.Evaluate(canary.Status, hash)));
    }

    public Task<string?> GetPrimaryRevisionAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(cache.Get<V1Deployment>(CanaryFacts.Namespace(canary), CanaryFacts.PrimaryName(canary)) is { } primary
            ? RevisionHash.OfSnapshot(primary.Spec.Template)
            : null);

    public Task<IReadOnlyDictionary<string, string>?> GetTrackedConfigsAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(configs.GetConfigRefs(canary, GetTarget(canary).Spec.Template?.Spec));

    public Task<bool> HaveDependenciesChangedAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(configs.HasConfigChanged(canary, GetTarget(canary).Spec.Template?.Spec));

    public async Task PromoteAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var target = GetTarget(canary);
        var (label, value) = SelectorLabel(target);
        var primary = cache.Get<V1Deployment>(ns, primaryName)
            ?? throw new WorkloadException($"updating deployment {primaryName}.{ns} template spec failed: {NotFound(primaryName, ns)}");
        var tracked = configs.GetTargetConfigs(canary, target.Spec.Template?.Spec);
        await configs.SyncPrimaryConfigsAsync(canary, tracked, cancellationToken);

        var desired = PrimaryWorkloads.PromoteDeployment(canary, primary, target, Inputs(target, label, value, tracked));
        if (PrimaryWorkloads.UpToDate(desired.Metadata, desired.Spec, primary.Metadata, primary.Spec))
        {
            return;
        }

        try
        {
            await writer.ReplaceAsync(desired, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"updating deployment {primaryName}.{ns} template spec failed: {e.Message}", e);
        }
    }

    // upstream: deployment_controller.go ScaleToZero (merge patch replicas 0)
    public Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken) =>
        ScaleAsync(canary, GetTarget(canary), 0, (name, ns, _, err) => $"deployment {name}.{ns} patch query error: {err}", cancellationToken);

    // upstream: deployment_controller.go ScaleFromZero
    public Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        return ScaleAsync(canary, target, ScaleFromZeroReplicas(canary, target), (name, ns, n, err) => $"scaling up {name}.{ns} to {n} failed: {err}", cancellationToken);
    }

    public Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken) =>
        scaler.ReconcilePrimaryScalerAsync(canary, init, cancellationToken);

    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        scaler.PauseTargetScalerAsync(canary, cancellationToken);

    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        scaler.ResumeTargetScalerAsync(canary, cancellationToken);

    // upstream: deployment_controller.go Finalize
    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        var primary = cache.Get<V1Deployment>(CanaryFacts.Namespace(canary), CanaryFacts.PrimaryName(canary));
        if (primary is null)
        {
            await ScaleFromZeroAsync(canary, cancellationToken);
            return;
        }

        await ScaleAsync(canary, target, primary.Spec.Replicas ?? 1, (name, ns, n, err) => $"scale failed: scaling {name}.{ns} to {n} failed: {err}", cancellationToken);
    }

    internal int ScaleFromZeroReplicas(Canary canary, V1Deployment target)
    {
        if (target.Spec.Replicas is > 0)
        {
            return target.Spec.Replicas.Value;
        }

        if (canary.Spec.AutoscalerRef is null)
        {
            // without an autoscaler the canary gets the primary's replicas; a missing primary (upstream: an error, which
            // would block revertOnDeletion forever) counts as 1
            var primary = cache.Get<V1Deployment>(CanaryFacts.Namespace(canary), CanaryFacts.PrimaryName(canary));
            return primary?.Spec.Replicas is > 0 ? primary.Spec.Replicas.Value : 1;
        }

        return scaler.ScaleFromZeroReplicas(canary) ?? 1;
    }

    private async Task CreatePrimaryAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var target = GetTarget(canary);
        var (label, value) = SelectorLabel(target);
        var primaryName = CanaryFacts.PrimaryName(canary);
        if (cache.Get<V1Deployment>(ns, primaryName) is not null)
        {
            return;
        }

        var tracked = configs.GetTargetConfigs(canary, target.Spec.Template?.Spec);
        await configs.SyncPrimaryConfigsAsync(canary, tracked, cancellationToken);
        var primary = PrimaryWorkloads.CreateDeployment(canary, target, Inputs(target, label, value, tracked));
        try
        {
            await writer.CreateAsync(primary, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"creating deployment {primaryName}.{ns} failed: {e.Message}", e);
        }

        Log.PrimaryCreated(logger, primaryName, ns);
    }

    private async Task ScaleAsync(Canary canary, V1Deployment target, int replicas, Func<string, string, int, string, string> failure, CancellationToken cancellationToken)
    {
        if (target.Spec.Replicas == replicas)
        {
            return;
        }

        var ns = CanaryFacts.Namespace(canary);
        try
        {
            await writer.PatchAsync<V1Deployment>(ns, target.Metadata.Name, new V1Patch($"{{\"spec\":{{\"replicas\":{replicas}}}}}", V1Patch.PatchType.MergePatch), cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException(failure(target.Metadata.Name, ns, replicas, e.Message), e);
        }
    }

    private PrimaryInputs Inputs(V1Deployment target, string label, string value, IReadOnlyDictionary<string, TrackedConfig> tracked)
    {
        var trackedConfigs = tracked.ToDictionary(kv => kv.Key, kv => kv.Value.Checksum, StringComparer.Ordinal);
        return new PrimaryInputs(
            label,
            value,
            tracked.Keys.ToHashSet(StringComparer.Ordinal),
            RevisionHash.FlaggerId(RevisionHash.OfSnapshot(target.Spec.Template), trackedConfigs),
            options.EffectiveSelectorLabels,
            options.IncludeLabelPrefix.ToList());
    }

    private V1Deployment GetTarget(Canary canary)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = CanaryFacts.TargetName(canary);
        return cache.Get<V1Deployment>(ns, name) ?? throw new WorkloadException(NotFound(name, ns));
    }

    private (string Label, string Value) SelectorLabel(V1Deployment target) =>
        SelectorLabels.Detect(target.Spec.Selector?.MatchLabels, options.EffectiveSelectorLabels)
        ?? throw new WorkloadException("getSelectorLabel failed: " + SelectorLabels.MissingMessage(
            "deployment", target.Metadata.Name, target.Metadata.NamespaceProperty, options.EffectiveSelectorLabels));

    private static string NotFound(string name, string ns) => $"deployment {name}.{ns} get query error: deployments.apps \"{name}\" not found";

    private static Readiness ToReadiness(ReadinessVerdict verdict, string prefix) => verdict.Error is null
        ? Readiness.Ready
        : new Readiness(verdict.Retriable ? ReadinessState.NotReady : ReadinessState.DeadlineExceeded, prefix + verdict.Error);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Name}.{Namespace} created")]
        public static partial void PrimaryCreated(ILogger logger, string name, string @namespace);
    }
}
