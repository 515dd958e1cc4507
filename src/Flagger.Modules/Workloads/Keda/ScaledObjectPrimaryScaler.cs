using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads.Keda;

/// <summary>
/// <c>autoscalerRef.kind: ScaledObject</c> (KEDA <c>keda.sh/v1alpha1</c>): keeps <c>&lt;so&gt;-primary</c> scaling
/// <c>&lt;target&gt;-primary</c>, and pauses the target's ScaledObject at zero replicas between runs
/// (<c>autoscaling.keda.sh/paused-replicas: "0"</c>), so KEDA does not scale the idle canary back up.
/// </summary>
// upstream: pkg/canary/scaled_object_reconciler.go
internal sealed partial class ScaledObjectPrimaryScaler(IKubeCache cache, IKubeWriter writer, WorkloadOptions options, ILogger logger) : IPrimaryScaler
{
    public async Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var target = GetTarget(canary);
        var primaryName = target.Metadata.Name + KubeObjects.PrimarySuffix;
        var current = cache.Get<ScaledObject>(ns, primaryName);
        if (current is null)
        {
            try
            {
                await writer.CreateAsync(PrimaryScaledObject.Create(canary, target), cancellationToken);
            }
            catch (KubeApiException e)
            {
                throw new WorkloadException($"creating Keda ScaledObject {primaryName}.{ns} failed: {e.Message}", e);
            }

            Log.Created(logger, primaryName, ns);
            return;
        }

        if (!init && PrimaryScaledObject.Sync(canary, target, current, options.IncludeLabelPrefix) is { } updated)
        {
            try
            {
                await writer.ReplaceAsync(updated, cancellationToken);
            }
            catch (KubeApiException e)
            {
                throw new WorkloadException($"updating ScaledObject {primaryName}.{ns} failed: {e.Message}", e);
            }

            Log.Updated(logger, primaryName, ns);
        }
    }

    /// <summary>Sets <c>autoscaling.keda.sh/paused-replicas: "0"</c> on the target ScaledObject.</summary>
    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        GetTarget(canary).Metadata.Annotations?.TryGetValue(ScaledObject.PausedReplicasAnnotation, out var paused) == true && paused == "0"
            ? Task.CompletedTask
            : PatchPauseAsync(canary, "0", cancellationToken);

    /// <summary>Removes the paused-replicas annotation from the target ScaledObject.</summary>
    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) =>
        GetTarget(canary).Metadata.Annotations?.ContainsKey(ScaledObject.PausedReplicasAnnotation) == true
            ? PatchPauseAsync(canary, null, cancellationToken)
            : Task.CompletedTask;

    // upstream: deployment_controller.go ScaleFromZero, ScaledObject minReplicaCount when > 1
    public int? ScaleFromZeroReplicas(Canary canary) =>
        cache.Get<ScaledObject>(CanaryFacts.Namespace(canary), canary.Spec.AutoscalerRef?.Name ?? "")?.Spec.MinReplicaCount is > 1 and var min
            ? min
            : null;

    private async Task PatchPauseAsync(Canary canary, string? value, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = canary.Spec.AutoscalerRef?.Name ?? "";
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [ScaledObject.PausedReplicasAnnotation] = value } },
        };
        try
        {
            // a merge patch: no resourceVersion, so KEDA's own status writes cannot make it conflict
            await writer.PatchAsync<ScaledObject>(ns, name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"Keda ScaledObject {name}.{ns} update query error: {e.Message}", e);
        }

        Log.Paused(logger, name, ns, value is null ? "resumed" : "paused");
    }

    private ScaledObject GetTarget(Canary canary)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = canary.Spec.AutoscalerRef?.Name ?? "";
        return cache.Get<ScaledObject>(ns, name)
            ?? throw new WorkloadException($"Keda ScaledObject {name}.{ns} get query error: scaledobjects.keda.sh \"{name}\" not found");
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Keda ScaledObject {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "Keda ScaledObject {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "Keda ScaledObject {Name}.{Namespace} autoscaling {State}")]
        public static partial void Paused(ILogger logger, string name, string @namespace, string state);
    }
}
