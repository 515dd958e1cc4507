using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Analysis.Providers.Keptn;

/// <summary>A Keptn <c>KeptnMetric</c> (<c>metrics.keptn.sh/v1beta1</c>); only <c>status.value</c> is read.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "KeptnMetric", PluralName = "keptnmetrics")]
internal sealed class KeptnMetric : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "metrics.keptn.sh";
    public const string Version = "v1beta1";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = Group + "/" + Version;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "KeptnMetric";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("status")]
    public JsonElement? Status { get; set; }
}

/// <summary>A Keptn <c>Analysis</c> (<c>metrics.keptn.sh/v1beta1</c>): the provider creates one per check and reads <c>status.state</c>/<c>status.pass</c>.</summary>
[KubernetesEntity(Group = KeptnMetric.Group, ApiVersion = KeptnMetric.Version, Kind = "Analysis", PluralName = "analyses")]
internal sealed class KeptnAnalysis : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KeptnMetric.Group + "/" + KeptnMetric.Version;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Analysis";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public KeptnAnalysisSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public JsonElement? Status { get; set; }
}

internal sealed class KeptnAnalysisSpec
{
    [JsonPropertyName("analysisDefinition")]
    public KeptnObjectReference AnalysisDefinition { get; set; } = new();

    [JsonPropertyName("timeframe")]
    public KeptnTimeframe Timeframe { get; set; } = new();

    [JsonPropertyName("args")]
    public Dictionary<string, string> Args { get; set; } = [];
}

internal sealed class KeptnObjectReference
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";
}

internal sealed class KeptnTimeframe
{
    [JsonPropertyName("recent")]
    public string Recent { get; set; } = "";
}
