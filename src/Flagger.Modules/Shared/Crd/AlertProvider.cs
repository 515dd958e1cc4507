using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>A notification target (<c>alertproviders.flagger.app</c>) referenced from <c>analysis.alerts[].providerRef</c>.</summary>
[KubernetesEntity(Group = FlaggerApi.Group, Kind = KubeKind, ApiVersion = FlaggerApi.Version, PluralName = KubePlural)]
public sealed class AlertProvider : IKubernetesObject<V1ObjectMeta>, ISpec<AlertProviderSpec>
{
    public const string KubeKind = "AlertProvider";
    public const string KubePlural = "alertproviders";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = FlaggerApi.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public AlertProviderSpec Spec { get; set; } = new();
}
