using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Workloads.Knative;

/// <summary>
/// A Knative Service (<c>serving.knative.dev/v1</c>) as a canary target: metadata and the status fields the target
/// controller reads. It is never replaced from this model (writes are merge patches), so the rest is not modelled.
/// </summary>
[KubernetesEntity(Group = Group, Kind = "Service", ApiVersion = "v1", PluralName = "services")]
internal sealed class KnativeTargetService : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "serving.knative.dev";

    /// <summary>The annotation naming the revision that serves as primary (upstream's, also read by the knative router).</summary>
    public const string PrimaryRevisionAnnotation = "flagger.app/primary-revision";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = Group + "/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Service";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The spec as stored (the traffic targets are what Flagger changes).</summary>
    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }

    [JsonPropertyName("status")]
    public KnativeTargetServiceStatus? Status { get; set; }
}

/// <summary>Knative Service status fields the target controller reads.</summary>
internal sealed class KnativeTargetServiceStatus
{
    [JsonPropertyName("latestCreatedRevisionName")]
    public string? LatestCreatedRevisionName { get; set; }
}

/// <summary>A Knative Revision (<c>serving.knative.dev/v1</c>): only its <c>Ready</c> condition is read.</summary>
[KubernetesEntity(Group = KnativeTargetService.Group, Kind = "Revision", ApiVersion = "v1", PluralName = "revisions")]
internal sealed class KnativeRevision : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KnativeTargetService.Group + "/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Revision";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("status")]
    public KnativeRevisionStatus? Status { get; set; }

    /// <summary>Knative's <c>IsReady</c>: condition <c>Ready</c> is <c>True</c> (for the generation it observed).</summary>
    public bool IsReady =>
        Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true
        && (Status.ObservedGeneration is not { } observed || Metadata.Generation is not { } generation || observed >= generation);
}

/// <summary>Revision status: conditions and observed generation.</summary>
internal sealed class KnativeRevisionStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<KnativeCondition>? Conditions { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A Knative condition (the fields read).</summary>
internal sealed class KnativeCondition
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}
