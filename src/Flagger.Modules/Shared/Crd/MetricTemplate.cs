using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>A reusable metric query (<c>metrictemplates.flagger.app</c>) referenced from <c>analysis.metrics[].templateRef</c>.</summary>
[KubernetesEntity(Group = FlaggerApi.Group, Kind = KubeKind, ApiVersion = FlaggerApi.Version, PluralName = KubePlural)]
public sealed class MetricTemplate : IKubernetesObject<V1ObjectMeta>, ISpec<MetricTemplateSpec>
{
    public const string KubeKind = "MetricTemplate";
    public const string KubePlural = "metrictemplates";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = FlaggerApi.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public MetricTemplateSpec Spec { get; set; } = new();
}
