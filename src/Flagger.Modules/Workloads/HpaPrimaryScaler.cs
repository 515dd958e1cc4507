using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>
/// <c>autoscalerRef.kind: HorizontalPodAutoscaler</c> (autoscaling/v2): keeps <c>&lt;hpa&gt;-primary</c> pointing at
/// <c>&lt;target&gt;-primary</c>; the target HPA keeps pointing at the (scaled to zero) target.
/// </summary>
// upstream: pkg/canary/hpa_reconciler.go
internal sealed partial class HpaPrimaryScaler(IKubeCache cache, IKubeWriter writer, ILogger logger) : IPrimaryScaler
{
    public async Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = canary.Spec.AutoscalerRef?.Name ?? "";
        var target = cache.Get<V2HorizontalPodAutoscaler>(ns, name)
            ?? throw new WorkloadException($"HorizontalPodAutoscaler {name}.{ns} get query error: horizontalpodautoscalers.autoscaling \"{name}\" not found");
        var primaryName = name + KubeObjects.PrimarySuffix;
        var current = cache.Get<V2HorizontalPodAutoscaler>(ns, primaryName);
        try
        {
            if (current is null)
            {
                await writer.CreateAsync(PrimaryHpa.Create(canary, target), cancellationToken);
                Log.Created(logger, primaryName, ns);
                return;
            }

            if (!init && PrimaryHpa.Sync(canary, target, current) is { } updated)
            {
                await writer.ReplaceAsync(updated, cancellationToken);
                Log.Updated(logger, primaryName, ns);
            }
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"{(current is null ? "creating" : "updating")} HorizontalPodAutoscaler v2 {primaryName}.{ns} failed: {e.Message}", e);
        }
    }

    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    // upstream: deployment_controller.go ScaleFromZero, HPA minReplicas when > 1
    public int? ScaleFromZeroReplicas(Canary canary) =>
        cache.Get<V2HorizontalPodAutoscaler>(CanaryFacts.Namespace(canary), canary.Spec.AutoscalerRef?.Name ?? "")?.Spec?.MinReplicas is > 1 and var min
            ? min
            : null;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "HorizontalPodAutoscaler v2 {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "HorizontalPodAutoscaler v2 {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);
    }
}
