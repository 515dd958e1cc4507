using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Knative;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads.Knative;

/// <summary>
/// Knative Service targets (<c>targetRef: serving.knative.dev/v1 Service</c>): no <c>-primary</c> workload. Knative keeps
/// every revision, so the primary is the revision named by the Service's <c>flagger.app/primary-revision</c> annotation
/// and the canary is the latest created revision; promotion moves the annotation. Readiness is the revision's
/// <c>Ready</c> condition; the revision (hashed) is <c>status.latestCreatedRevisionName</c>. Nothing to scale.
/// Writes are JSON merge patches of the annotation and <c>spec.traffic</c> only.
/// </summary>
// upstream: pkg/canary/knative_controller.go
internal sealed partial class KnativeTargetController(IKubeCache cache, IKubeWriter writer, ILogger logger) : ITargetController
{
    /// <summary>Where Flagger keeps the user's <c>spec.traffic</c> (as <c>{"traffic":[…]}</c>) for the router's Finalize.</summary>
    internal const string OriginalConfigurationAnnotation = "flagger.kubernetes.io/original-configuration";

    private static readonly IReadOnlyDictionary<string, int> NoPorts = new Dictionary<string, int>();

    public string Kind => "Service";

    public Task<TargetMetadata> GetMetadataAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(new TargetMetadata("", "", NoPorts));

    /// <summary>
    /// While initializing, points the annotation at the latest created revision and routes all traffic to it
    /// (<c>spec.traffic</c>: latest revision 0 %, that revision 100 %), then reports its readiness.
    /// </summary>
    public async Task<Readiness> InitializeAsync(Canary canary, CancellationToken cancellationToken)
    {
        if (!CanaryFacts.IsInitializing(canary))
        {
            return Readiness.Ready;
        }

        var service = GetService(canary);
        var (ns, name) = (CanaryFacts.Namespace(canary), CanaryFacts.TargetName(canary));
        var latest = LatestRevision(service);
        var traffic = InitialTraffic(latest);
        var annotations = service.Metadata.Annotations;
        var current = service.Spec.Traffic is null ? null : JsonNode.Parse(KubernetesJson.Serialize(service.Spec.Traffic));
        if (service.PrimaryRevision != latest || !JsonNode.DeepEquals(current, traffic))
        {
            var patchAnnotations = new JsonObject { [KnativeService.PrimaryRevisionAnnotation] = latest };
            if (annotations?.ContainsKey(OriginalConfigurationAnnotation) != true)
            {
                // the user's traffic, for revertOnDeletion (the router restores it on Finalize)
                patchAnnotations[OriginalConfigurationAnnotation] = current is null ? "{}" : new JsonObject { ["traffic"] = current.DeepClone() }.ToJsonString();
            }

            await PatchAsync(ns, name, new JsonObject
            {
                ["metadata"] = new JsonObject { ["annotations"] = patchAnnotations },
                ["spec"] = new JsonObject { ["traffic"] = traffic },
            }, cancellationToken);
        }

        return CanaryDefaults.GetSkipAnalysis(canary.Spec) ? Readiness.Ready : RevisionReadiness(ns, latest);
    }

    public Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var service = GetService(canary);
        var ns = CanaryFacts.Namespace(canary);
        return Task.FromResult(service.PrimaryRevision is { Length: > 0 } primary
            ? RevisionReadiness(ns, primary)
            : new Readiness(ReadinessState.NotReady, $"Knative Service {service.Metadata.Name}.{ns} primary revision annotation not found"));
    }

    public Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var service = GetService(canary);
        return Task.FromResult(RevisionReadiness(CanaryFacts.Namespace(canary), LatestRevision(service)));
    }

    /// <summary>A new revision is a new latest created revision name (upstream hashes that name).</summary>
    public Task<string> GetTargetRevisionAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(RevisionHash.Compute(LatestRevision(GetService(canary))));

    public Task<IReadOnlyDictionary<string, string>?> GetTrackedConfigsAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    /// <summary>The latest created revision becomes the primary revision.</summary>
    public async Task PromoteAsync(Canary canary, CancellationToken cancellationToken)
    {
        var service = GetService(canary);
        var latest = LatestRevision(service);
        if (service.PrimaryRevision == latest)
        {
            return;
        }

        await PatchAsync(CanaryFacts.Namespace(canary), CanaryFacts.TargetName(canary), new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [KnativeService.PrimaryRevisionAnnotation] = latest } },
        }, cancellationToken);
    }

    public Task<bool> IsScaledToZeroAsync(Canary canary, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReconcilePrimaryScalerAsync(Canary canary, bool init, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PauseTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ResumeTargetScalerAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing: the knative router reverts the Service's annotation and traffic.</summary>
    public Task FinalizeAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary><c>spec.traffic</c> at initialization: the latest revision at 0 %, the primary revision at 100 %.</summary>
    internal static JsonArray InitialTraffic(string primaryRevision) =>
    [
        new JsonObject { ["latestRevision"] = true, ["percent"] = 0 },
        new JsonObject { ["revisionName"] = primaryRevision, ["latestRevision"] = false, ["percent"] = 100 },
    ];

    private Readiness RevisionReadiness(string ns, string revisionName)
    {
        var revision = cache.Get<KnativeRevision>(ns, revisionName);
        if (revision is null)
        {
            return new Readiness(ReadinessState.NotReady, $"Knative Revision {revisionName}.{ns} get query error: revisions.serving.knative.dev \"{revisionName}\" not found");
        }

        return revision.IsReady ? Readiness.Ready : new Readiness(ReadinessState.NotReady, $"Knative Revision {revisionName}.{ns} is not ready");
    }

    private KnativeService GetService(Canary canary)
    {
        var ns = CanaryFacts.Namespace(canary);
        var name = CanaryFacts.TargetName(canary);
        return cache.Get<KnativeService>(ns, name)
            ?? throw new WorkloadException($"Knative Service {name}.{ns} get query error: services.serving.knative.dev \"{name}\" not found");
    }

    private static string LatestRevision(KnativeService service) =>
        service.Status?.LatestCreatedRevisionName is { Length: > 0 } latest
            ? latest
            : throw new WorkloadException($"Knative Service {service.Metadata.Name}.{service.Metadata.NamespaceProperty} has no revision yet (status.latestCreatedRevisionName is empty)");

    private async Task PatchAsync(string ns, string name, JsonObject patch, CancellationToken cancellationToken)
    {
        try
        {
            await writer.PatchAsync<KnativeService>(ns, name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"Knative Service {name}.{ns} update query error {e.Message}", e);
        }

        Log.Updated(logger, name, ns);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Knative Service {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);
    }
}
