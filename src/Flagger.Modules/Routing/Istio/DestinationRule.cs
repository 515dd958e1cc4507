using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing.Istio;

/// <summary>An Istio DestinationRule (<c>destinationrules.networking.istio.io</c>, version <c>v1beta1</c>).</summary>
[KubernetesEntity(Group = IstioApi.Group, Kind = KubeKind, ApiVersion = IstioApi.Version, PluralName = KubePlural)]
public sealed class DestinationRule() : CustomObject<DestinationRuleSpec>(IstioApi.GroupVersion, KubeKind)
{
    public const string KubeKind = "DestinationRule";
    public const string KubePlural = "destinationrules";
}

/// <summary>A list of DestinationRules as the API server returns it.</summary>
public sealed class DestinationRuleList() : CustomObjectList<DestinationRule>(IstioApi.GroupVersion, "DestinationRuleList");

/// <summary>DestinationRule <c>spec</c>: Flagger writes <c>host</c> and the canary's <c>service.trafficPolicy</c>.</summary>
public sealed class DestinationRuleSpec
{
    [JsonPropertyName("host")]
    public string? Host { get; set; }

    [JsonPropertyName("trafficPolicy")]
    public TrafficPolicy? TrafficPolicy { get; set; }

    /// <summary>Fields not modelled here (<c>subsets</c>, <c>exportTo</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}
