using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing.Apisix;

/// <summary>Where the APISIX ingress controller's CRDs live (upstream v1.44: <c>apisix.apache.org/v2</c>).</summary>
public static class ApisixApi
{
    public const string Group = "apisix.apache.org";
    public const string Version = "v2";
    public const string GroupVersion = Group + "/" + Version;
}

/// <summary>An APISIX ApisixRoute (<c>apisixroutes.apisix.apache.org</c>, version <c>v2</c>).</summary>
[KubernetesEntity(Group = ApisixApi.Group, Kind = KubeKind, ApiVersion = ApisixApi.Version, PluralName = KubePlural)]
public sealed class ApisixRoute() : CustomObject<ApisixRouteSpec>(ApisixApi.GroupVersion, KubeKind)
{
    public const string KubeKind = "ApisixRoute";
    public const string KubePlural = "apisixroutes";
}

/// <summary>A list of ApisixRoutes as the API server returns it.</summary>
public sealed class ApisixRouteList() : CustomObjectList<ApisixRoute>(ApisixApi.GroupVersion, "ApisixRouteList");

/// <summary>ApisixRoute <c>spec</c>: Flagger reads and writes the <c>http</c> rules.</summary>
public sealed class ApisixRouteSpec
{
    [JsonPropertyName("http")]
    public List<ApisixRouteHttp>? Http { get; set; }

    /// <summary>Fields not modelled here (<c>stream</c>, <c>ingressClassName</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One <c>spec.http[]</c> rule.</summary>
public sealed class ApisixRouteHttp
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("priority")]
    public int? Priority { get; set; }

    [JsonPropertyName("backends")]
    public List<ApisixRouteBackend>? Backends { get; set; }

    /// <summary>Fields not modelled here (<c>match</c>, <c>plugins</c>, <c>timeout</c>, <c>websocket</c>, <c>authentication</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One backend of a rule: a Service port and its weight.</summary>
public sealed class ApisixRouteBackend
{
    [JsonPropertyName("serviceName")]
    public string? ServiceName { get; set; }

    [JsonPropertyName("servicePort")]
    public IntOrString? ServicePort { get; set; }

    [JsonPropertyName("resolveGranularity")]
    public string? ResolveGranularity { get; set; }

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }

    [JsonPropertyName("subset")]
    public string? Subset { get; set; }

    /// <summary>Fields not modelled here.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}
