using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

using Flagger.Modules.Shared.Knative;

namespace Flagger.Modules.Routing.Knative;

/// <summary>
/// Knative traffic shifting (upstream: pkg/router/knative.go): the target Knative Service itself is the routing object.
/// Its annotation <c>flagger.app/primary-revision</c> names the primary revision; <c>spec.traffic</c> splits requests
/// between the latest revision (the canary) and that revision; the live split is read from <c>status.traffic</c>, which
/// Knative fills once it has programmed the route. Writes are JSON merge patches of just the fields Flagger owns, so
/// they never race the Workloads module's writes to the same object on resourceVersion.
/// </summary>
internal sealed partial class KnativeRouter(RoutingObjectStore store, ILogger<KnativeRouter> logger) : ITrafficRouter
{
    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (ns, name) = Target(canary);
        var service = Get(ns, name, $"Knative Service {name}.{ns} get query error");
        if (service.Metadata.Annotations?.ContainsKey(KnativeService.PrimaryRevisionAnnotation) == true)
        {
            return;
        }

        var latest = service.Status?.LatestCreatedRevisionName;
        if (string.IsNullOrEmpty(latest))
        {
            throw new RoutingException($"Knative Service {name}.{ns} has no revision yet (status.latestCreatedRevisionName is empty)");
        }

        var annotations = new JsonObject { [KnativeService.PrimaryRevisionAnnotation] = latest };
        RememberOriginalTraffic(service, annotations);
        await PatchAsync(ns, name, new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = annotations } }, cancellationToken).ConfigureAwait(false);
        Log.Updated(logger, name, ns);
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (ns, name) = Target(canary);
        var service = Get(ns, name, $"Knative Service {name}.{ns} get query error");
        var primary = PrimaryRevision(service)
            ?? throw new RoutingException($"Knative Service {name}.{ns} annotation not found");

        // upstream writes latestRevision only on the canary entry; Knative's defaulting adds latestRevision: false to
        // the pinned one, so it is written here to compare equal with what the API server stores.
        List<KnativeTrafficTarget> traffic =
        [
            new() { LatestRevision = true, Percent = split.CanaryWeight },
            new() { RevisionName = primary, LatestRevision = false, Percent = split.PrimaryWeight },
        ];
        if (SemanticEquals(ToNode(traffic), ToNode(service.Spec.Traffic)))
        {
            return;
        }

        var patch = new JsonObject { ["spec"] = new JsonObject { ["traffic"] = ToNode(traffic) } };
        var annotations = new JsonObject();
        if (RememberOriginalTraffic(service, annotations))
        {
            patch["metadata"] = new JsonObject { ["annotations"] = annotations };
        }

        await PatchAsync(ns, name, patch, cancellationToken).ConfigureAwait(false);
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (ns, name) = Target(canary);
        var service = Get(ns, name, $"service {name}.{ns} get query error");
        var primary = PrimaryRevision(service)
            ?? throw new RoutingException($"service {name}.{ns} annotation not found");
        var traffic = service.Status?.Traffic ?? [];
        var canaryTarget = traffic.FirstOrDefault(t => t.LatestRevision == true);
        var primaryTarget = traffic.FirstOrDefault(t => t.RevisionName == primary && t.LatestRevision != true)
            ?? traffic.FirstOrDefault(t => t.RevisionName == primary);
        if (canaryTarget is null || primaryTarget is null)
        {
            throw new RoutingException($"Knative Service {name}.{ns} traffic spec invalid");
        }

        if (primaryTarget.Percent is not { } primaryPercent)
        {
            throw new RoutingException($"Knative Service {name}.{ns} primary revision traffic percent does not exist");
        }

        if (canaryTarget.Percent is not { } canaryPercent)
        {
            throw new RoutingException($"Knative Service {name}.{ns} canary revision traffic percent does not exist");
        }

        return Task.FromResult(new TrafficSplit((int)primaryPercent, (int)canaryPercent, false));
    }

    /// <summary>
    /// Removes the primary-revision annotation (as upstream) and, unlike upstream, which leaves every request pinned to
    /// the last primary revision, gives <c>spec.traffic</c> back the user's value saved when Flagger took it over.
    /// </summary>
    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (ns, name) = Target(canary);
        var service = Get(ns, name, $"Knative Service {name}.{ns} get query error");
        var annotations = service.Metadata.Annotations;
        if (annotations is null || !annotations.ContainsKey(KnativeService.PrimaryRevisionAnnotation))
        {
            return;
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["annotations"] = new JsonObject { [KnativeService.PrimaryRevisionAnnotation] = null, [OriginalConfigurationAnnotation] = null },
            },
        };
        if (annotations.TryGetValue(OriginalConfigurationAnnotation, out var saved))
        {
            patch["spec"] = new JsonObject { ["traffic"] = OriginalTraffic(service, saved) };
        }

        await PatchAsync(ns, name, patch, cancellationToken).ConfigureAwait(false);
        Log.Updated(logger, name, ns);
    }

    /// <summary>
    /// Saves the user's <c>spec.traffic</c> as a partial spec (<c>{"traffic":[…]}</c>, or <c>{}</c> when unset) in
    /// <c>flagger.kubernetes.io/original-configuration</c> unless already saved. Only the field Flagger takes over is
    /// kept: restoring the whole spec would also undo the user's later template changes.
    /// </summary>
    internal static bool RememberOriginalTraffic(KnativeService service, JsonObject annotations)
    {
        if (service.Metadata.Annotations?.ContainsKey(OriginalConfigurationAnnotation) == true)
        {
            return false;
        }

        annotations[OriginalConfigurationAnnotation] = KubernetesJson.Serialize(new KnativeServiceSpec { Traffic = service.Spec.Traffic });
        return true;
    }

    private static JsonNode? OriginalTraffic(KnativeService service, string saved)
    {
        try
        {
            return ToNode(KubernetesJson.Deserialize<KnativeServiceSpec>(saved).Traffic);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RoutingException(
                $"Knative Service {service.Metadata.Name}.{service.Metadata.NamespaceProperty} failed to unmarshal annotation {OriginalConfigurationAnnotation}: {e.Message}", e);
        }
    }

    private static string? PrimaryRevision(KnativeService service) =>
        service.Metadata.Annotations?.TryGetValue(KnativeService.PrimaryRevisionAnnotation, out var revision) == true ? revision : null;

    private static (string Namespace, string Name) Target(Canary canary) =>
        (canary.Metadata.NamespaceProperty ?? "", canary.Spec.TargetRef?.Name is { Length: > 0 } name
            ? name
            : throw new RoutingException($"invalid canary {Id(canary)}: spec.targetRef.name is required"));

    private KnativeService Get(string ns, string name, string prefix) =>
        store.Get<KnativeService>(ns, name)
            ?? throw new RoutingException($"{prefix}: services.serving.knative.dev \"{name}\" not found");

    private async Task PatchAsync(string ns, string name, JsonObject patch, CancellationToken cancellationToken)
    {
        try
        {
            await store.PatchAsync<KnativeService>(ns, name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            throw new RoutingException($"Knative Service {name}.{ns} update query error: {e.Message}", e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Knative Service {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);
    }
}
