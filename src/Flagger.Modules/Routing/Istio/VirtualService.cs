// Shape of networking.istio.io/v1beta1 VirtualService as upstream Flagger writes it (pkg/apis/istio/v1beta1).
// Match, retries, CORS and header types are the Canary's own (same schema); fields we do not model are kept in
// Extensions so that a user's object round-trips without loss (revert on finalize restores it byte for byte).
using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing.Istio;

/// <summary>An Istio VirtualService (<c>virtualservices.networking.istio.io</c>, version <c>v1beta1</c>).</summary>
[KubernetesEntity(Group = IstioApi.Group, Kind = KubeKind, ApiVersion = IstioApi.Version, PluralName = KubePlural)]
public sealed class VirtualService() : CustomObject<VirtualServiceSpec>(IstioApi.GroupVersion, KubeKind)
{
    public const string KubeKind = "VirtualService";
    public const string KubePlural = "virtualservices";
}

/// <summary>A list of VirtualServices as the API server returns it.</summary>
public sealed class VirtualServiceList() : CustomObjectList<VirtualService>(IstioApi.GroupVersion, "VirtualServiceList");

/// <summary>VirtualService <c>spec</c>.</summary>
public sealed class VirtualServiceSpec
{
    [JsonPropertyName("hosts")]
    public List<string>? Hosts { get; set; }

    [JsonPropertyName("gateways")]
    public List<string>? Gateways { get; set; }

    [JsonPropertyName("http")]
    public List<IstioHttpRoute>? Http { get; set; }

    [JsonPropertyName("tcp")]
    public List<IstioTcpRoute>? Tcp { get; set; }

    /// <summary>Fields not modelled here (<c>exportTo</c>, <c>tls</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualService <c>spec.http[]</c>.</summary>
public sealed class IstioHttpRoute
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("match")]
    public List<HttpMatchRequest>? Match { get; set; }

    [JsonPropertyName("route")]
    public List<IstioRouteDestination>? Route { get; set; }

    [JsonPropertyName("rewrite")]
    public IstioHttpRewrite? Rewrite { get; set; }

    [JsonPropertyName("timeout")]
    public string? Timeout { get; set; }

    [JsonPropertyName("retries")]
    public HttpRetry? Retries { get; set; }

    [JsonPropertyName("mirror")]
    public IstioDestination? Mirror { get; set; }

    [JsonPropertyName("mirrorPercentage")]
    public IstioPercent? MirrorPercentage { get; set; }

    [JsonPropertyName("corsPolicy")]
    public CorsPolicy? CorsPolicy { get; set; }

    [JsonPropertyName("headers")]
    public HeaderOperations? Headers { get; set; }

    /// <summary>Fields not modelled here (<c>redirect</c>, <c>fault</c>, <c>delegate</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualService <c>spec.tcp[]</c>.</summary>
public sealed class IstioTcpRoute
{
    [JsonPropertyName("match")]
    public List<IstioL4Match>? Match { get; set; }

    [JsonPropertyName("route")]
    public List<IstioRouteDestination>? Route { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualService <c>spec.tcp[].match[]</c>.</summary>
public sealed class IstioL4Match
{
    [JsonPropertyName("port")]
    public int? Port { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>
/// A weighted destination of an HTTP or TCP route. Flagger always writes <c>weight</c> (as upstream does); it is
/// nullable only so that a user's destination without one round-trips unchanged (absent reads as 0).
/// </summary>
public sealed class IstioRouteDestination
{
    [JsonPropertyName("destination")]
    public IstioDestination Destination { get; set; } = new();

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }

    [JsonPropertyName("headers")]
    public HeaderOperations? Headers { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A destination host (and optional port) of a route or of a mirror.</summary>
public sealed class IstioDestination
{
    [JsonPropertyName("host")]
    public string Host { get; set; } = "";

    [JsonPropertyName("subset")]
    public string? Subset { get; set; }

    [JsonPropertyName("port")]
    public IstioPortSelector? Port { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Destination <c>port</c>.</summary>
public sealed class IstioPortSelector
{
    [JsonPropertyName("number")]
    public int? Number { get; set; }
}

/// <summary>HTTP route <c>rewrite</c> (Istio has no <c>type</c>: that field of the Canary is Gateway API only).</summary>
public sealed class IstioHttpRewrite
{
    [JsonPropertyName("uri")]
    public string? Uri { get; set; }

    [JsonPropertyName("authority")]
    public string? Authority { get; set; }
}

/// <summary><c>mirrorPercentage</c>.</summary>
public sealed class IstioPercent
{
    [JsonPropertyName("value")]
    public double Value { get; set; }
}

/// <summary>The Istio networking API group and the version upstream Flagger uses.</summary>
public static class IstioApi
{
    public const string Group = "networking.istio.io";
    public const string Version = "v1beta1";
    public const string GroupVersion = Group + "/" + Version;
}
