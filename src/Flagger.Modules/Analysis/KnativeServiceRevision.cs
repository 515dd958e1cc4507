using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Analysis;

/// <summary>
/// The part of a Knative Service (<c>serving.knative.dev/v1</c>) the analysis needs: <c>status.latestCreatedRevisionName</c>,
/// which is the <c>{{ route }}</c> of knative canaries. Read from the cache; the runtime must watch this kind when the
/// knative provider is in use (the cache returns null when the kind is not installed).
/// </summary>
[KubernetesEntity(Group = "serving.knative.dev", Kind = "Service", ApiVersion = "v1", PluralName = "services")]
internal sealed class KnativeServiceRevision : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "serving.knative.dev/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Service";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("status")]
    public KnativeServiceRevisionStatus? Status { get; set; }
}

/// <summary>Knative Service status fields used by the analysis.</summary>
internal sealed class KnativeServiceRevisionStatus
{
    [JsonPropertyName("latestCreatedRevisionName")]
    public string? LatestCreatedRevisionName { get; set; }
}
