// Field names follow upstream's CRD (flagger.app/v1beta1, artifacts/flagger/crd.yaml); every field is nullable so that
// an object round-trips without gaining defaults. Defaults are applied in one place: CanaryDefaults.
using System.Text.Json.Serialization;

namespace Flagger.Modules.Shared.Crd;

/// <summary>MetricTemplateSpec; upstream schema path <c>MetricTemplate.spec</c>.</summary>
public sealed class MetricTemplateSpec
{
    [JsonPropertyName("provider")]
    public MetricTemplateProvider? Provider { get; set; }

    [JsonPropertyName("query")]
    public string? Query { get; set; }
}

/// <summary>MetricTemplateProvider; upstream schema path <c>MetricTemplate.spec.provider</c>.</summary>
public sealed class MetricTemplateProvider
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("address")]
    public string? Address { get; set; }

    [JsonPropertyName("headers")]
    public Dictionary<string, List<string>>? Headers { get; set; }

    [JsonPropertyName("secretRef")]
    public LocalSecretReference? SecretRef { get; set; }

    [JsonPropertyName("region")]
    public string? Region { get; set; }

    [JsonPropertyName("insecureSkipVerify")]
    public bool? InsecureSkipVerify { get; set; }
}

/// <summary>LocalSecretReference; upstream schema path <c>MetricTemplate.spec.provider.secretRef</c>.</summary>
public sealed class LocalSecretReference
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }
}
