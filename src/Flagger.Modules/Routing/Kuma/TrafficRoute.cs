using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s.Models;

namespace Flagger.Modules.Routing.Kuma;

/// <summary>
/// A Kuma TrafficRoute (<c>trafficroutes.kuma.io</c>, version <c>v1alpha1</c>): cluster-scoped, with the mesh it
/// belongs to in the top-level <c>mesh</c> field.
/// </summary>
[KubernetesEntity(Group = "kuma.io", Kind = KubeKind, ApiVersion = "v1alpha1", PluralName = "trafficroutes")]
public sealed class TrafficRoute() : CustomObject<TrafficRouteSpec>("kuma.io/v1alpha1", KubeKind)
{
    public const string KubeKind = "TrafficRoute";

    /// <summary>The Kuma mesh (upstream: the canary's <c>kuma.io/mesh</c> annotation, else <c>default</c>).</summary>
    [JsonPropertyName("mesh")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mesh { get; set; }
}

/// <summary>TrafficRoute <c>spec</c>: which sources and destinations it applies to, and the weighted split.</summary>
public sealed class TrafficRouteSpec
{
    [JsonPropertyName("sources")]
    public List<KumaSelector>? Sources { get; set; }

    [JsonPropertyName("destinations")]
    public List<KumaSelector>? Destinations { get; set; }

    [JsonPropertyName("conf")]
    public TrafficRouteConf? Conf { get; set; }

    /// <summary>Fields not modelled here.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A selector of Kuma dataplanes by tag (<c>kuma.io/service</c>).</summary>
public sealed class KumaSelector
{
    [JsonPropertyName("match")]
    public Dictionary<string, string>? Match { get; set; }
}

/// <summary>TrafficRoute <c>conf</c>: the weighted destinations (other routing modes are kept as they are).</summary>
public sealed class TrafficRouteConf
{
    [JsonPropertyName("split")]
    public List<TrafficRouteSplit>? Split { get; set; }

    /// <summary>Fields not modelled here (<c>destination</c>, <c>http</c>, <c>loadBalancer</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One weighted destination of a TrafficRoute.</summary>
public sealed class TrafficRouteSplit
{
    /// <summary>Always written, 0 included (upstream: a uint32 without omitempty).</summary>
    [JsonPropertyName("weight")]
    public int Weight { get; set; }

    [JsonPropertyName("destination")]
    public Dictionary<string, string>? Destination { get; set; }
}
