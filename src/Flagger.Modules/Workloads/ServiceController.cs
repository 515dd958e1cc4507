using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>
/// Service targets (a Service in front of workloads managed elsewhere): no primary workload, only the
/// <c>&lt;target&gt;-primary</c> and <c>&lt;target&gt;-canary</c> Service copies; no scaling, no config tracking, always ready.
/// </summary>
// upstream: pkg/canary/service_controller.go
internal sealed partial class ServiceController(IKubeCache cache, IKubeWriter writer, WorkloadOptions options, ILogger logger) : ITargetController
{
    private static readonly IReadOnlyDictionary<string, int> NoPorts = new Dictionary<string, int>();

    public string Kind => "Service";

    public Task<TargetMetadata> GetMetadataAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(new TargetMetadata("", "", NoPorts));

    public async Task<Readiness> InitializeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var source = GetTarget(canary);
        var targetName = CanaryFacts.TargetName(canary);
        try
        {
            // the canary copy follows the target at every initialisation; the primary is created once
            var canaryName = targetName + "-canary";
            var currentCanary = cache.Get<V1Service>(ns, canaryName);
            var desiredCanary = ServiceCopies.Build(canary, canaryName, source, currentCanary);
            if (currentCanary is null)
            {
                await CreateAsync(desiredCanary, cancellationToken);
            }
            else if (!ServiceCopies.UpToDate(desiredCanary, currentCanary))
            {
                await UpdateAsync(desiredCanary, "", cancellationToken);
            }
        }
        catch (WorkloadException e)
        {
            throw new WorkloadException($"reconcileCanaryService failed: {e.Message}", e);
        }

        var primaryName = CanaryFacts.PrimaryName(canary);
        if (cache.Get<V1Service>(ns, primaryName) is null)
        {
            try
            {
                await CreateAsync(ServiceCopies.Build(canary, primaryName, source, null), cancellationToken);
            }
            catch (WorkloadException e)
            {
                throw new WorkloadException($"reconcilePrimaryService failed: {e.Message}", e);
            }
        }

        return Readiness.Ready;
    }

    public Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken) => Task.FromResult(Readiness.Ready);

    public Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken) => Task.FromResult(Readiness.Ready);

    public Task<string> GetTargetRevisionAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(RevisionHash.OfSnapshot(GetTarget(canary).Spec));

    public Task<IReadOnlyDictionary<string, string>?> GetTrackedConfigsAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    public async Task PromoteAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var target = GetTarget(canary);
        var primary = cache.Get<V1Service>(ns, primaryName)
            ?? throw new WorkloadException($"updating service {primaryName}.{ns} spec failed: {NotFound(primaryName, ns)}");
        var desired = ServiceCopies.Promote(primary, target, options.IncludeLabelPrefix);
        if (ServiceCopies.UpToDate(desired, primary))
        {
            return;
        }

        await UpdateAsync(desired, $"updating service {primaryName}.{ns} spec failed: ", cancellationToken);
    }

    public Task<bool> IsScaledToZeroAsync(Canary canary, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task FinalizeAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CreateAsync(V1Service service, CancellationToken cancellationToken)
    {
        try
        {
            await writer.CreateAsync(service, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"creating service {service.Metadata.Name}.{service.Metadata.NamespaceProperty} query error: {e.Message}", e);
        }

        Log.Created(logger, service.Metadata.Name, service.Metadata.NamespaceProperty);
    }

    private async Task UpdateAsync(V1Service service, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            await writer.ReplaceAsync(service, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"{prefix}updating service {service.Metadata.Name}.{service.Metadata.NamespaceProperty} failed: {e.Message}", e);
        }

        Log.Updated(logger, service.Metadata.Name, service.Metadata.NamespaceProperty);
    }

    private V1Service GetTarget(Canary canary)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = CanaryFacts.TargetName(canary);
        return cache.Get<V1Service>(ns, name) ?? throw new WorkloadException(NotFound(name, ns));
    }

    private static string NotFound(string name, string ns) => $"service {name}.{ns} get query error: services \"{name}\" not found";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string name, string? @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string? @namespace);
    }
}
