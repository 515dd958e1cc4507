using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>A reusable metric query (<c>metrictemplates.flagger.app</c>) referenced from <c>analysis.metrics[].templateRef</c>.</summary>
[KubernetesEntity(Group = FlaggerApi.Group, Kind = KubeKind, ApiVersion = FlaggerApi.Version, PluralName = KubePlural)]
public sealed class MetricTemplate : IKubernetesObject<V1ObjectMeta>, ISpec<MetricTemplateSpec>, IStatus<MetricTemplateStatus?>
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

    [JsonPropertyName("status")]
    public MetricTemplateStatus? Status { get; set; }
}

/// <summary>
/// MetricTemplateStatus; upstream Go type <c>MetricTemplateStatus</c> (<c>pkg/apis/flagger/v1beta1</c>). Declared by upstream but never
/// written by its controller; kept so that objects carrying it round-trip.
/// </summary>
public sealed class MetricTemplateStatus
{
    /// <summary>Conditions with the same shape as the Canary's (<c>type</c>, <c>status</c>, <c>reason</c>, <c>message</c>, times).</summary>
    [JsonPropertyName("conditions")]
    public List<CanaryCondition>? Conditions { get; set; }
}

/// <summary>A list of MetricTemplates as the API server returns it.</summary>
public sealed class MetricTemplateList : IKubernetesObject<V1ListMeta>, IItems<MetricTemplate>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = FlaggerApi.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "MetricTemplateList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<MetricTemplate> Items { get; set; } = [];
}
