// Shapes of gloo.solo.io/v1 Upstream and gateway.solo.io/v1 RouteTable as upstream Flagger writes them
// (pkg/apis/gloo/v1/types.go, pkg/apis/gloogateway/v1/types.go). The connection settings Flagger copies from the
// config Upstream (spec.upstreamRef) are kept as raw JSON: Flagger never interprets them, only copies and compares.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s.Models;

namespace Flagger.Modules.Routing.Gloo;

/// <summary>A Gloo Upstream (<c>upstreams.gloo.solo.io</c>, version <c>v1</c>).</summary>
[KubernetesEntity(Group = GlooApi.Group, Kind = KubeKind, ApiVersion = GlooApi.Version, PluralName = KubePlural)]
public sealed class GlooUpstream() : CustomObject<GlooUpstreamSpec>(GlooApi.GroupVersion, KubeKind)
{
    public const string KubeKind = "Upstream";
    public const string KubePlural = "upstreams";
}

/// <summary>A list of Upstreams as the API server returns it.</summary>
public sealed class GlooUpstreamList() : CustomObjectList<GlooUpstream>(GlooApi.GroupVersion, "UpstreamList");

/// <summary>Upstream <c>spec</c>: the Kubernetes Service it points at and the connection settings Flagger copies.</summary>
public sealed class GlooUpstreamSpec
{
    [JsonPropertyName("kube")]
    public GlooKubeUpstream? Kube { get; set; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("sslConfig")]
    public JsonObject? SslConfig { get; set; }

    [JsonPropertyName("circuitBreakers")]
    public JsonObject? CircuitBreakers { get; set; }

    [JsonPropertyName("connectionConfig")]
    public JsonObject? ConnectionConfig { get; set; }

    [JsonPropertyName("loadBalancerConfig")]
    public JsonObject? LoadBalancerConfig { get; set; }

    [JsonPropertyName("useHttp2")]
    public bool? UseHttp2 { get; set; }

    [JsonPropertyName("initialStreamWindowSize")]
    public long? InitialStreamWindowSize { get; set; }

    [JsonPropertyName("initialConnectionWindowSize")]
    public long? InitialConnectionWindowSize { get; set; }

    /// <summary>Gloo's spelling (upstream Flagger's Go type writes <c>httpProxyHostName</c>, which Gloo's schema prunes).</summary>
    [JsonPropertyName("httpProxyHostname")]
    public string? HttpProxyHostname { get; set; }

    /// <summary>Fields not modelled here (<c>static</c>, <c>healthChecks</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Upstream <c>spec.kube</c>: a Kubernetes Service port.</summary>
public sealed class GlooKubeUpstream
{
    [JsonPropertyName("serviceName")]
    public string? ServiceName { get; set; }

    [JsonPropertyName("serviceNamespace")]
    public string? ServiceNamespace { get; set; }

    [JsonPropertyName("servicePort")]
    public int? ServicePort { get; set; }

    [JsonPropertyName("selector")]
    public Dictionary<string, string>? Selector { get; set; }
}

/// <summary>A Gloo RouteTable (<c>routetables.gateway.solo.io</c>, version <c>v1</c>).</summary>
[KubernetesEntity(Group = GlooApi.GatewayGroup, Kind = KubeKind, ApiVersion = GlooApi.Version, PluralName = KubePlural)]
public sealed class RouteTable() : CustomObject<RouteTableSpec>(GlooApi.GatewayGroupVersion, KubeKind)
{
    public const string KubeKind = "RouteTable";
    public const string KubePlural = "routetables";
}

/// <summary>A list of RouteTables as the API server returns it.</summary>
public sealed class RouteTableList() : CustomObjectList<RouteTable>(GlooApi.GatewayGroupVersion, "RouteTableList");

/// <summary>RouteTable <c>spec</c>.</summary>
public sealed class RouteTableSpec
{
    [JsonPropertyName("routes")]
    public List<GlooRoute>? Routes { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>RouteTable <c>spec.routes[]</c>.</summary>
public sealed class GlooRoute
{
    [JsonPropertyName("matchers")]
    public List<GlooMatcher>? Matchers { get; set; }

    [JsonPropertyName("routeAction")]
    public GlooRouteAction? RouteAction { get; set; }

    [JsonPropertyName("inheritablePathMatchers")]
    public bool? InheritablePathMatchers { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A route matcher: all headers and one of the methods.</summary>
public sealed class GlooMatcher
{
    [JsonPropertyName("headers")]
    public List<GlooHeaderMatcher>? Headers { get; set; }

    [JsonPropertyName("methods")]
    public List<string>? Methods { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A header matcher: exact value, or a regular expression when <see cref="Regex"/>.</summary>
public sealed class GlooHeaderMatcher
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [JsonPropertyName("regex")]
    public bool? Regex { get; set; }
}

/// <summary>RouteTable <c>routeAction</c>.</summary>
public sealed class GlooRouteAction
{
    [JsonPropertyName("multi")]
    public GlooMultiDestination? Multi { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Weighted destinations.</summary>
public sealed class GlooMultiDestination
{
    [JsonPropertyName("destinations")]
    public List<GlooWeightedDestination>? Destinations { get; set; }
}

/// <summary>An Upstream and its weight (omitted at 0, as upstream's <c>omitempty</c> writes it).</summary>
public sealed class GlooWeightedDestination
{
    [JsonPropertyName("destination")]
    public GlooDestination Destination { get; set; } = new();

    [JsonPropertyName("weight")]
    public long? Weight { get; set; }
}

/// <summary>A destination Upstream.</summary>
public sealed class GlooDestination
{
    [JsonPropertyName("upstream")]
    public GlooResourceRef Upstream { get; set; } = new();
}

/// <summary>A reference to a Gloo object.</summary>
public sealed class GlooResourceRef
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }
}

/// <summary>Where Gloo's kinds live.</summary>
public static class GlooApi
{
    public const string Group = "gloo.solo.io";
    public const string GatewayGroup = "gateway.solo.io";
    public const string Version = "v1";
    public const string GroupVersion = Group + "/" + Version;
    public const string GatewayGroupVersion = GatewayGroup + "/" + Version;
}
