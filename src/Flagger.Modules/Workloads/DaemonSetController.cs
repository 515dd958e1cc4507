using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>
/// DaemonSet targets: <c>&lt;target&gt;-primary</c> DaemonSet; "scaled to zero" means the pod template carries the
/// nodeSelector <c>flagger.app/scale-to-zero: "true"</c> so no node matches.
/// </summary>
// upstream: pkg/canary/daemonset_controller.go, daemonset_ready.go, daemonset_status.go
internal sealed partial class DaemonSetController(
    IKubeCache cache,
    IKubeWriter writer,
    ConfigTracker configs,
    IPrimaryScaler scaler,
    WorkloadOptions options,
    TimeProvider time,
    ILogger logger) : ITargetController
{
    public string Kind => "DaemonSet";

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
            throw new WorkloadException($"createPrimaryDaemonSet failed: {e.Message}", e);
        }

        return CanaryFacts.IsInitializing(canary) && !CanaryFacts.SkipAnalysis(canary)
            ? await IsPrimaryReadyAsync(canary, cancellationToken)
            : Readiness.Ready;
    }

    public Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var primary = cache.Get<V1DaemonSet>(ns, primaryName);
        if (primary is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(primaryName, ns)));
        }

        var verdict = WorkloadReadiness.DaemonSet(primary, canary.Status?.LastTransitionTime, CanaryFacts.ProgressDeadlineSeconds(canary), CanaryFacts.PrimaryReadyThreshold(canary), time.GetUtcNow());
        return Task.FromResult(verdict.Error is null
            ? Readiness.Ready
            : new Readiness(verdict.Retriable ? ReadinessState.NotReady : ReadinessState.DeadlineExceeded, $"primary daemonset {primaryName}.{ns} not ready: {verdict.Error}"));
    }

    public Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var targetName = CanaryFacts.TargetName(canary);
        var target = cache.Get<V1DaemonSet>(ns, targetName);
        if (target is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(targetName, ns)));
        }

        var verdict = WorkloadReadiness.DaemonSet(target, canary.Status?.LastTransitionTime, CanaryFacts.ProgressDeadlineSeconds(canary), CanaryFacts.CanaryReadyThreshold(canary), time.GetUtcNow());
        // upstream's text, typo included
        return Task.FromResult(verdict.Error is null
            ? Readiness.Ready
            : new Readiness(
                verdict.Retriable ? ReadinessState.NotReady : ReadinessState.DeadlineExceeded,
                $"canary damonset {targetName}.{ns} not ready with retryable {(verdict.Retriable ? "true" : "false")}: {verdict.Error}"));
    }

    public Task<TargetRevision> GetTargetRevisionAsync(Canary canary, CancellationToken cancellationToken)
    {
        var hash = RevisionHash.OfDaemonSetSnapshot(GetTarget(canary).Spec.Template);
        return Task.FromResult(new TargetRevision(hash, RevisionHash.Evaluate(canary.Status, hash)));
    }

    public Task<string?> GetPrimaryRevisionAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(cache.Get<V1DaemonSet>(CanaryFacts.Namespace(canary), CanaryFacts.PrimaryName(canary)) is { } primary
            ? RevisionHash.OfDaemonSetSnapshot(primary.Spec.Template)
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
        var primary = cache.Get<V1DaemonSet>(ns, primaryName)
            ?? throw new WorkloadException($"updating daemonset {primaryName}.{ns} template spec failed: {NotFound(primaryName, ns)}");
        var tracked = configs.GetTargetConfigs(canary, target.Spec.Template?.Spec);
        await configs.SyncPrimaryConfigsAsync(canary, tracked, cancellationToken);

        var desired = PrimaryWorkloads.PromoteDaemonSet(primary, target, Inputs(target, label, value, tracked));
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
            throw new WorkloadException($"updating daemonset {primaryName}.{ns} template spec failed: {e.Message}", e);
        }
    }

    // upstream: daemonset_controller.go ScaleToZero (nodeSelector flagger.app/scale-to-zero: "true")
    public async Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        if (target.Spec.Template?.Spec?.NodeSelector?.TryGetValue(RevisionHash.ScaleToZeroKey, out var v) == true && v == "true")
        {
            return;
        }

        var copy = KubeObjects.Clone(target);
        copy.Spec.Template.Spec.NodeSelector ??= new Dictionary<string, string>();
        copy.Spec.Template.Spec.NodeSelector[RevisionHash.ScaleToZeroKey] = "true";
        await ReplaceTargetAsync(copy, "updating daemonset {0}.{1} failed: {2}", cancellationToken);
    }

    // upstream: daemonset_controller.go ScaleFromZero (remove the scale-to-zero nodeSelector)
    public async Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        if (target.Spec.Template?.Spec?.NodeSelector?.ContainsKey(RevisionHash.ScaleToZeroKey) != true)
        {
            return;
        }

        var copy = KubeObjects.Clone(target);
        copy.Spec.Template.Spec.NodeSelector.Remove(RevisionHash.ScaleToZeroKey);
        await ReplaceTargetAsync(copy, "scaling up daemonset {0}.{1} failed: {2}", cancellationToken);
    }

    public Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken) =>
        scaler.ReconcilePrimaryScalerAsync(canary, init, cancellationToken);

    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        scaler.PauseTargetScalerAsync(canary, cancellationToken);

    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        scaler.ResumeTargetScalerAsync(canary, cancellationToken);

    // upstream: daemonset_controller.go Finalize
    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        try
        {
            await ScaleFromZeroAsync(canary, cancellationToken);
        }
        catch (WorkloadException e)
        {
            throw new WorkloadException($"ScaleFromZero failed: {e.Message}", e);
        }
    }

    private async Task CreatePrimaryAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var target = GetTarget(canary);
        var strategy = target.Spec.UpdateStrategy?.Type;
        if (!string.IsNullOrEmpty(strategy) && strategy != "RollingUpdate")
        {
            throw new WorkloadException($"daemonset {target.Metadata.Name}.{ns} must have RollingUpdate strategy but have {strategy}");
        }

        var (label, value) = SelectorLabel(target);
        var primaryName = CanaryFacts.PrimaryName(canary);
        if (cache.Get<V1DaemonSet>(ns, primaryName) is not null)
        {
            return;
        }

        var tracked = configs.GetTargetConfigs(canary, target.Spec.Template?.Spec);
        await configs.SyncPrimaryConfigsAsync(canary, tracked, cancellationToken);
        var primary = PrimaryWorkloads.CreateDaemonSet(canary, target, Inputs(target, label, value, tracked));
        try
        {
            await writer.CreateAsync(primary, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"creating daemonset {primaryName}.{ns} failed: {e.Message}", e);
        }

        Log.PrimaryCreated(logger, primaryName, ns);
    }

    private async Task ReplaceTargetAsync(V1DaemonSet target, string failureFormat, CancellationToken cancellationToken)
    {
        try
        {
            await writer.ReplaceAsync(target, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException(string.Format(System.Globalization.CultureInfo.InvariantCulture, failureFormat, target.Metadata.Name, target.Metadata.NamespaceProperty, e.Message), e);
        }
    }

    private PrimaryInputs Inputs(V1DaemonSet target, string label, string value, IReadOnlyDictionary<string, TrackedConfig> tracked)
    {
        var trackedConfigs = tracked.ToDictionary(kv => kv.Key, kv => kv.Value.Checksum, StringComparer.Ordinal);
        return new PrimaryInputs(
            label,
            value,
            tracked.Keys.ToHashSet(StringComparer.Ordinal),
            RevisionHash.FlaggerId(RevisionHash.OfDaemonSetSnapshot(target.Spec.Template), trackedConfigs),
            options.EffectiveSelectorLabels,
            options.IncludeLabelPrefix.ToList());
    }

    private V1DaemonSet GetTarget(Canary canary)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = CanaryFacts.TargetName(canary);
        return cache.Get<V1DaemonSet>(ns, name) ?? throw new WorkloadException(NotFound(name, ns));
    }

    private (string Label, string Value) SelectorLabel(V1DaemonSet target) =>
        SelectorLabels.Detect(target.Spec.Selector?.MatchLabels, options.EffectiveSelectorLabels)
        ?? throw new WorkloadException("getSelectorLabel failed: " + SelectorLabels.MissingMessage(
            "daemonset", target.Metadata.Name, target.Metadata.NamespaceProperty, options.EffectiveSelectorLabels));

    private static string NotFound(string name, string ns) => $"daemonset {name}.{ns} get query error: daemonsets.apps \"{name}\" not found";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "DaemonSet {Name}.{Namespace} created")]
        public static partial void PrimaryCreated(ILogger logger, string name, string @namespace);
    }
}
