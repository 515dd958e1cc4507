using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>A notification target (<c>alertproviders.flagger.app</c>) referenced from <c>analysis.alerts[].providerRef</c>.</summary>
[KubernetesEntity(Group = FlaggerApi.Group, Kind = KubeKind, ApiVersion = FlaggerApi.Version, PluralName = KubePlural)]
public sealed class AlertProvider : IKubernetesObject<V1ObjectMeta>, ISpec<AlertProviderSpec>, IStatus<AlertProviderStatus?>
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

    [JsonPropertyName("status")]
    public AlertProviderStatus? Status { get; set; }
}

/// <summary>
/// AlertProviderStatus; upstream Go type <c>AlertProviderStatus</c> (<c>pkg/apis/flagger/v1beta1</c>). Declared by upstream but never
/// written by its controller; kept so that objects carrying it round-trip.
/// </summary>
public sealed class AlertProviderStatus
{
    /// <summary>Conditions with the same shape as the Canary's (<c>type</c>, <c>status</c>, <c>reason</c>, <c>message</c>, times).</summary>
    [JsonPropertyName("conditions")]
    public List<CanaryCondition>? Conditions { get; set; }
}

/// <summary>A list of AlertProviders as the API server returns it.</summary>
public sealed class AlertProviderList : IKubernetesObject<V1ListMeta>, IItems<AlertProvider>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = FlaggerApi.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "AlertProviderList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<AlertProvider> Items { get; set; } = [];
}
