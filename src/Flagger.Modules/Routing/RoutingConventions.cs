using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing;

/// <summary>Names, annotations and object helpers every router shares (upstream: pkg/router/util.go, router.go).</summary>
internal static class RoutingConventions
{
    public const string KubectlAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
    public const string OriginalConfigurationAnnotation = "flagger.kubernetes.io/original-configuration";
    public const string FluxReconcileKey = "kustomize.toolkit.fluxcd.io/reconcile";
    public const string HelmDriftDetectionKey = "helm.toolkit.fluxcd.io/driftDetection";
    public const string FluxDisabled = "disabled";

    /// <summary>Apex, primary and canary Service names (upstream: Canary.GetServiceNames).</summary>
    public static (string Apex, string Primary, string Canary) ServiceNames(Canary canary)
    {
        var apex = canary.Spec.Service?.Name is { Length: > 0 } name ? name : canary.Spec.TargetRef?.Name;
        if (string.IsNullOrEmpty(apex))
        {
            throw new Contracts.RoutingException(
                $"Canary {Id(canary)}: spec.targetRef.name is required to name the Services (or set spec.service.name)");
        }

        return (apex, apex + "-primary", apex + "-canary");
    }

    public static string Id(Canary canary) => $"{canary.Metadata.Name}.{canary.Metadata.NamespaceProperty}";

    /// <summary>The canary's <c>spec.service</c> with a port, or a clear error naming the field.</summary>
    public static CanaryService RequireService(Canary canary)
    {
        var service = canary.Spec.Service
            ?? throw new Contracts.RoutingException($"Canary {Id(canary)}: spec.service is required for routing");
        if (service.Port is not > 0)
        {
            throw new Contracts.RoutingException($"Canary {Id(canary)}: spec.service.port must be a port number (1-65535)");
        }

        return service;
    }

    /// <summary>Adds the two Flux "disabled" annotations (upstream: filterMetadata).</summary>
    public static Dictionary<string, string> WithFluxDisabled(IDictionary<string, string>? annotations)
    {
        var result = annotations is null ? new Dictionary<string, string>() : new Dictionary<string, string>(annotations);
        result[FluxReconcileKey] = FluxDisabled;
        result[HelmDriftDetectionKey] = FluxDisabled;
        return result;
    }

    /// <summary>The controller ownerReference that points at the canary (garbage collection on delete).</summary>
    public static V1OwnerReference ControllerRef(Canary canary) => new()
    {
        ApiVersion = FlaggerApi.GroupVersion,
        Kind = Canary.KubeKind,
        Name = canary.Metadata.Name,
        Uid = canary.Metadata.Uid,
        BlockOwnerDeletion = true,
        Controller = true,
    };

    /// <summary>The controller ownerReference of an object when it is a Canary, else null.</summary>
    public static V1OwnerReference? CanaryController(V1ObjectMeta metadata) =>
        metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true) is { Kind: Canary.KubeKind } owner ? owner : null;

    public static T Clone<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    public static JsonNode? ToNode<T>(T obj) => obj is null ? null : JsonNode.Parse(KubernetesJson.Serialize(obj));

    /// <summary>Structural equality where null, absent, empty lists and empty maps are all the same.</summary>
    public static bool SemanticEquals(JsonNode? left, JsonNode? right) => JsonNode.DeepEquals(Prune(left), Prune(right));

    public static bool MapEquals(IDictionary<string, string>? left, IDictionary<string, string>? right)
    {
        var l = left ?? new Dictionary<string, string>();
        var r = right ?? new Dictionary<string, string>();
        return l.Count == r.Count && l.All(kv => r.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    /// <summary>Drops nulls, empty arrays and empty objects, recursively (a copy).</summary>
    private static JsonNode? Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var pruned = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (Prune(value) is { } child)
                    {
                        pruned[key] = child;
                    }
                }

                return pruned.Count == 0 ? null : pruned;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Prune(item));
                }

                return items.Count == 0 ? null : items;
            default:
                return node?.DeepClone();
        }
    }
}
