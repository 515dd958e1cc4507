// Field names follow upstream's CRD (flagger.app/v1beta1, artifacts/flagger/crd.yaml); every field is nullable so that
// an object round-trips without gaining defaults. Defaults are applied in one place: CanaryDefaults.
using System.Text.Json.Serialization;

namespace Flagger.Modules.Shared.Crd;

/// <summary>AlertProviderSpec; upstream schema path <c>AlertProvider.spec</c>.</summary>
public sealed class AlertProviderSpec
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("channel")]
    public string? Channel { get; set; }

    [JsonPropertyName("username")]
    public string? Username { get; set; }

    [JsonPropertyName("address")]
    public string? Address { get; set; }

    [JsonPropertyName("proxy")]
    public string? Proxy { get; set; }

    [JsonPropertyName("secretRef")]
    public LocalSecretReference? SecretRef { get; set; }
}
