using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>
/// What Deployment and DaemonSet targets share: reading the target from the cache, its selector label, revision hash
/// and tracked configs, creating the primary once, and the primary scaler. Each kind adds its own readiness, promotion
/// and scaling, with upstream's per-kind messages.
/// </summary>
internal abstract class PodWorkloadController<TWorkload>(
    IKubeCache cache,
    IKubeWriter writer,
    ConfigTracker configs,
    IPrimaryScaler scaler,
    WorkloadOptions options,
    TimeProvider time,
    ILogger logger) : ITargetController
    where TWorkload : class, IKubernetesObject<V1ObjectMeta>
{
    protected IKubeCache Cache { get; } = cache;

    protected IKubeWriter Writer { get; } = writer;

    protected ConfigTracker Configs { get; } = configs;

    protected IPrimaryScaler Scaler { get; } = scaler;

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    public abstract string Kind { get; }

    /// <summary>The kind in upstream's messages: <c>deployment</c>, <c>daemonset</c>.</summary>
    protected string Noun => Kind.ToLowerInvariant();

    protected abstract V1PodTemplateSpec? Template(TWorkload workload);

    protected abstract V1LabelSelector? Selector(TWorkload workload);

    /// <summary>The revision hash of a pod template, as this kind computes it.</summary>
    protected abstract string Hash(V1PodTemplateSpec? template);

    /// <summary>Rejects a target this kind cannot roll out (checked before every initialization, as upstream).</summary>
    protected virtual void ValidateTarget(TWorkload target, string @namespace)
    {
    }

    /// <summary>Builds the new primary from the target (only called when no primary exists).</summary>
    /// <summary>Whether <paramref name="target"/> is in the state <see cref="ScaleToZeroAsync"/> leaves it in.</summary>
    protected abstract bool IsScaledToZero(TWorkload target);

    protected abstract TWorkload BuildPrimary(Canary canary, TWorkload target, PrimaryInputs inputs);

    public Task<TargetMetadata> GetMetadataAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        var (label, value) = SelectorLabel(target);
        var ports = canary.Spec.Service?.PortDiscovery == true
            ? PortDiscovery.Discover(canary.Spec.Service, Template(target)?.Spec?.Containers)
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
            throw new WorkloadException($"createPrimary{Kind} failed: {e.Message}", e);
        }

        return CanaryFacts.IsInitializing(canary) && !CanaryDefaults.GetSkipAnalysis(canary.Spec)
            ? await IsPrimaryReadyAsync(canary, cancellationToken)
            : Readiness.Ready;
    }

    public abstract Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken);

    public abstract Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken);

    public Task<string> GetTargetRevisionAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(Hash(Template(GetTarget(canary))));

    public Task<IReadOnlyDictionary<string, string>?> GetTrackedConfigsAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(Configs.GetConfigRefs(canary, Template(GetTarget(canary))?.Spec));

    public abstract Task PromoteAsync(Canary canary, CancellationToken cancellationToken);

    public Task<bool> IsScaledToZeroAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(IsScaledToZero(GetTarget(canary)));

    public abstract Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken);

    public abstract Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken);

    public Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken) =>
        Scaler.ReconcilePrimaryScalerAsync(canary, init, cancellationToken);

    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        Scaler.PauseTargetScalerAsync(canary, cancellationToken);

    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        Scaler.ResumeTargetScalerAsync(canary, cancellationToken);

    public abstract Task FinalizeAsync(Canary canary, CancellationToken cancellationToken);

    private async Task CreatePrimaryAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var target = GetTarget(canary);
        ValidateTarget(target, ns);
        var (label, value) = SelectorLabel(target);
        var primaryName = CanaryFacts.PrimaryName(canary);
        if (Cache.Get<TWorkload>(ns, primaryName) is not null)
        {
            return;
        }

        var tracked = Configs.GetTargetConfigs(canary, Template(target)?.Spec);
        await Configs.SyncPrimaryConfigsAsync(canary, tracked, cancellationToken);
        var primary = BuildPrimary(canary, target, Inputs(target, label, value, tracked));
        try
        {
            await Writer.CreateAsync(primary, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"creating {Noun} {primaryName}.{ns} failed: {e.Message}", e);
        }

        WorkloadLog.PrimaryCreated(Logger, Kind, primaryName, ns);
    }

    protected PrimaryInputs Inputs(TWorkload target, string label, string value, IReadOnlyDictionary<string, TrackedConfig> tracked)
    {
        var trackedConfigs = tracked.ToDictionary(kv => kv.Key, kv => kv.Value.Checksum, StringComparer.Ordinal);
        return new PrimaryInputs(
            label,
            value,
            tracked.Keys.ToHashSet(StringComparer.Ordinal),
            RevisionHash.FlaggerId(Hash(Template(target)), trackedConfigs),
            options.EffectiveSelectorLabels,
            options.IncludeLabelPrefix.ToList());
    }

    protected TWorkload GetTarget(Canary canary)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = CanaryFacts.TargetName(canary);
        return Cache.Get<TWorkload>(ns, name) ?? throw new WorkloadException(NotFound(name, ns));
    }

    protected (string Label, string Value) SelectorLabel(TWorkload target) =>
        SelectorLabels.Detect(Selector(target)?.MatchLabels, options.EffectiveSelectorLabels)
        ?? throw new WorkloadException("getSelectorLabel failed: " + SelectorLabels.MissingMessage(
            Noun, target.Metadata.Name, target.Metadata.NamespaceProperty, options.EffectiveSelectorLabels));

    protected string NotFound(string name, string ns) => $"{Noun} {name}.{ns} get query error: {Noun}s.apps \"{name}\" not found";
}

internal static partial class WorkloadLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} created")]
    public static partial void PrimaryCreated(ILogger logger, string kind, string name, string @namespace);
}
