using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>
/// A Canary seen through its <c>status</c> subresource only: metadata and status, no spec. Writes the status of a canary
/// whose spec the model cannot read (the API server's answer carries that spec, which this type does not read).
/// </summary>
[KubernetesEntity(Group = FlaggerApi.Group, Kind = Canary.KubeKind, ApiVersion = FlaggerApi.Version, PluralName = Canary.KubePlural)]
public sealed class CanaryStatusUpdate : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = FlaggerApi.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = Canary.KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("status")]
    public CanaryStatus? Status { get; set; }
}
