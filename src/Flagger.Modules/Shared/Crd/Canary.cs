using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>
/// A progressive-delivery release of one workload (<c>canaries.flagger.app</c>, singular <c>canary</c>, no short names, category <c>all</c>).
/// </summary>
/// <example>
/// <code>
/// apiVersion: flagger.app/v1beta1
/// kind: Canary
/// metadata: { name: podinfo, namespace: test }
/// spec:
///   targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
///   service: { port: 9898 }
///   analysis: { interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10 }
/// </code>
/// </example>
[KubernetesEntity(Group = FlaggerApi.Group, Kind = KubeKind, ApiVersion = FlaggerApi.Version, PluralName = KubePlural)]
public sealed class Canary : IKubernetesObject<V1ObjectMeta>, ISpec<CanarySpec>, IStatus<CanaryStatus?>
{
    public const string KubeKind = "Canary";
    public const string KubePlural = "canaries";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = FlaggerApi.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public CanarySpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public CanaryStatus? Status { get; set; }
}

/// <summary>A list of canaries as the API server returns it.</summary>
public sealed class CanaryList : IKubernetesObject<V1ListMeta>, IItems<Canary>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = FlaggerApi.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "CanaryList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<Canary> Items { get; set; } = [];
}
