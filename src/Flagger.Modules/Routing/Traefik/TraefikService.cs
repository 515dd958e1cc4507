using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing.Traefik;

/// <summary>Where Traefik's CRDs live (upstream v1.44 writes <c>traefik.io/v1alpha1</c>, Traefik v2.10+ and v3).</summary>
public static class TraefikApi
{
    public const string Group = "traefik.io";
    public const string Version = "v1alpha1";
    public const string GroupVersion = Group + "/" + Version;
}

/// <summary>A Traefik TraefikService (<c>traefikservices.traefik.io</c>, version <c>v1alpha1</c>).</summary>
[KubernetesEntity(Group = TraefikApi.Group, Kind = KubeKind, ApiVersion = TraefikApi.Version, PluralName = KubePlural)]
public sealed class TraefikService() : CustomObject<TraefikServiceSpec>(TraefikApi.GroupVersion, KubeKind)
{
    public const string KubeKind = "TraefikService";
    public const string KubePlural = "traefikservices";
}

/// <summary>A list of TraefikServices as the API server returns it.</summary>
public sealed class TraefikServiceList() : CustomObjectList<TraefikService>(TraefikApi.GroupVersion, "TraefikServiceList");

/// <summary>TraefikService <c>spec</c>: Flagger writes <c>weighted</c> (weighted round robin).</summary>
public sealed class TraefikServiceSpec
{
    [JsonPropertyName("weighted")]
    public TraefikWeighted? Weighted { get; set; }

    /// <summary>Fields not modelled here (<c>mirroring</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary><c>spec.weighted</c>: the services that share the requests by weight.</summary>
public sealed class TraefikWeighted
{
    [JsonPropertyName("services")]
    public List<TraefikWeightedService>? Services { get; set; }

    /// <summary>Fields not modelled here (<c>sticky</c>, <c>healthCheck</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One entry of <c>spec.weighted.services</c>: a Kubernetes Service (port) and its weight.</summary>
public sealed class TraefikWeightedService
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("port")]
    public IntOrString? Port { get; set; }

    /// <summary>Absent means 1 to Traefik; Flagger always writes it (0 sends nothing).</summary>
    [JsonPropertyName("weight")]
    public int? Weight { get; set; }

    /// <summary>Fields not modelled here (<c>kind</c>, <c>scheme</c>, <c>passHostHeader</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}
