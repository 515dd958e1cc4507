// Shape of gateway.networking.k8s.io HTTPRoute (v1 and v1beta1 share it) as upstream Flagger writes it
// (pkg/apis/gatewayapi/v1, v1beta1). Fields we do not model are kept in Extensions so that a user's object
// round-trips without loss.
using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s.Models;

namespace Flagger.Modules.Routing.GatewayApi;

/// <summary>A Gateway API HTTPRoute (<c>httproutes.gateway.networking.k8s.io</c>, version <c>v1</c>).</summary>
[KubernetesEntity(Group = GatewayApiGroup.Group, Kind = KubeKind, ApiVersion = "v1", PluralName = KubePlural)]
public sealed class HttpRoute() : CustomObject<HttpRouteSpec, HttpRouteStatus>(GatewayApiGroup.V1, KubeKind)
{
    public const string KubeKind = "HTTPRoute";
    public const string KubePlural = "httproutes";
}

/// <summary>The same HTTPRoute served as <c>v1beta1</c> (provider <c>gatewayapi:v1beta1</c>).</summary>
[KubernetesEntity(Group = GatewayApiGroup.Group, Kind = HttpRoute.KubeKind, ApiVersion = "v1beta1", PluralName = HttpRoute.KubePlural)]
public sealed class HttpRouteV1Beta1() : CustomObject<HttpRouteSpec, HttpRouteStatus>(GatewayApiGroup.V1Beta1, HttpRoute.KubeKind);

/// <summary>A list of v1 HTTPRoutes as the API server returns it.</summary>
public sealed class HttpRouteList() : CustomObjectList<HttpRoute>(GatewayApiGroup.V1, "HTTPRouteList");

/// <summary>A list of v1beta1 HTTPRoutes as the API server returns it.</summary>
public sealed class HttpRouteV1Beta1List() : CustomObjectList<HttpRouteV1Beta1>(GatewayApiGroup.V1Beta1, "HTTPRouteList");

/// <summary>HTTPRoute <c>spec</c>.</summary>
public sealed class HttpRouteSpec
{
    [JsonPropertyName("parentRefs")]
    public List<ParentReference>? ParentRefs { get; set; }

    [JsonPropertyName("hostnames")]
    public List<string>? Hostnames { get; set; }

    [JsonPropertyName("rules")]
    public List<HttpRouteRule>? Rules { get; set; }

    /// <summary>Fields not modelled here (<c>useDefaultGateways</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A parent (Gateway, or a Service for GAMMA meshes) the route attaches to.</summary>
public sealed class ParentReference
{
    [JsonPropertyName("group")]
    public string? Group { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("sectionName")]
    public string? SectionName { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }
}

/// <summary>HTTPRoute <c>spec.rules[]</c>.</summary>
public sealed class HttpRouteRule
{
    [JsonPropertyName("matches")]
    public List<HttpRouteMatch>? Matches { get; set; }

    [JsonPropertyName("filters")]
    public List<HttpRouteFilter>? Filters { get; set; }

    [JsonPropertyName("backendRefs")]
    public List<HttpBackendRef>? BackendRefs { get; set; }

    [JsonPropertyName("timeouts")]
    public HttpRouteTimeouts? Timeouts { get; set; }

    /// <summary>Fields not modelled here (<c>name</c>, <c>retry</c>, <c>sessionPersistence</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>HTTPRoute <c>spec.rules[].matches[]</c>: all present conditions must hold.</summary>
public sealed class HttpRouteMatch
{
    [JsonPropertyName("path")]
    public HttpPathMatch? Path { get; set; }

    [JsonPropertyName("headers")]
    public List<HttpValueMatch>? Headers { get; set; }

    [JsonPropertyName("queryParams")]
    public List<HttpValueMatch>? QueryParams { get; set; }

    [JsonPropertyName("method")]
    public string? Method { get; set; }
}

/// <summary><c>matches[].path</c>: <c>Exact</c>, <c>PathPrefix</c> or <c>RegularExpression</c>.</summary>
public sealed class HttpPathMatch
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }
}

/// <summary>A header or query-parameter match: <c>Exact</c> or <c>RegularExpression</c>.</summary>
public sealed class HttpValueMatch
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("value")]
    public string Value { get; set; } = "";
}

/// <summary>A rule or backend filter; <see cref="Type"/> names the one field that is set.</summary>
public sealed class HttpRouteFilter
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("requestHeaderModifier")]
    public HttpHeaderFilter? RequestHeaderModifier { get; set; }

    [JsonPropertyName("responseHeaderModifier")]
    public HttpHeaderFilter? ResponseHeaderModifier { get; set; }

    [JsonPropertyName("requestMirror")]
    public HttpRequestMirrorFilter? RequestMirror { get; set; }

    [JsonPropertyName("urlRewrite")]
    public HttpUrlRewriteFilter? UrlRewrite { get; set; }

    [JsonPropertyName("cors")]
    public HttpCorsFilter? Cors { get; set; }

    /// <summary>Fields not modelled here (<c>requestRedirect</c>, <c>extensionRef</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary><c>RequestHeaderModifier</c> / <c>ResponseHeaderModifier</c>.</summary>
public sealed class HttpHeaderFilter
{
    [JsonPropertyName("set")]
    public List<HttpHeader>? Set { get; set; }

    [JsonPropertyName("add")]
    public List<HttpHeader>? Add { get; set; }

    [JsonPropertyName("remove")]
    public List<string>? Remove { get; set; }
}

/// <summary>A header name and value.</summary>
public sealed class HttpHeader
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("value")]
    public string Value { get; set; } = "";
}

/// <summary><c>RequestMirror</c>: a copy of each request goes to <see cref="BackendRef"/>.</summary>
public sealed class HttpRequestMirrorFilter
{
    [JsonPropertyName("backendRef")]
    public BackendRef BackendRef { get; set; } = new();

    /// <summary>Fields not modelled here (<c>percent</c>, <c>fraction</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary><c>URLRewrite</c>.</summary>
public sealed class HttpUrlRewriteFilter
{
    [JsonPropertyName("hostname")]
    public string? Hostname { get; set; }

    [JsonPropertyName("path")]
    public HttpPathModifier? Path { get; set; }
}

/// <summary><c>URLRewrite.path</c>: <c>ReplaceFullPath</c> or <c>ReplacePrefixMatch</c>.</summary>
public sealed class HttpPathModifier
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("replaceFullPath")]
    public string? ReplaceFullPath { get; set; }

    [JsonPropertyName("replacePrefixMatch")]
    public string? ReplacePrefixMatch { get; set; }
}

/// <summary><c>CORS</c> (v1 only).</summary>
public sealed class HttpCorsFilter
{
    [JsonPropertyName("allowOrigins")]
    public List<string>? AllowOrigins { get; set; }

    [JsonPropertyName("allowCredentials")]
    public bool? AllowCredentials { get; set; }

    [JsonPropertyName("allowMethods")]
    public List<string>? AllowMethods { get; set; }

    [JsonPropertyName("allowHeaders")]
    public List<string>? AllowHeaders { get; set; }

    [JsonPropertyName("exposeHeaders")]
    public List<string>? ExposeHeaders { get; set; }

    [JsonPropertyName("maxAge")]
    public int? MaxAge { get; set; }
}

/// <summary>A backend object (a Service) and its port.</summary>
public class BackendRef
{
    [JsonPropertyName("group")]
    public string? Group { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }
}

/// <summary>A weighted backend of a rule, with backend-level filters.</summary>
public sealed class HttpBackendRef : BackendRef
{
    [JsonPropertyName("weight")]
    public int? Weight { get; set; }

    [JsonPropertyName("filters")]
    public List<HttpRouteFilter>? Filters { get; set; }
}

/// <summary><c>rules[].timeouts</c> (v1 only).</summary>
public sealed class HttpRouteTimeouts
{
    [JsonPropertyName("request")]
    public string? Request { get; set; }

    [JsonPropertyName("backendRequest")]
    public string? BackendRequest { get; set; }
}

/// <summary>HTTPRoute <c>status</c>: one entry per parent that has seen the route.</summary>
public sealed class HttpRouteStatus
{
    [JsonPropertyName("parents")]
    public List<RouteParentStatus>? Parents { get; set; }
}

/// <summary><c>status.parents[]</c>.</summary>
public sealed class RouteParentStatus
{
    [JsonPropertyName("parentRef")]
    public ParentReference ParentRef { get; set; } = new();

    [JsonPropertyName("controllerName")]
    public string? ControllerName { get; set; }

    [JsonPropertyName("conditions")]
    public List<RouteCondition>? Conditions { get; set; }
}

/// <summary>A <c>metav1.Condition</c> of a route parent.</summary>
public sealed class RouteCondition
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("status")]
    public string Status { get; set; } = "";

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("lastTransitionTime")]
    public string? LastTransitionTime { get; set; }
}

/// <summary>The Gateway API group and its two versions Flagger writes.</summary>
public static class GatewayApiGroup
{
    public const string Group = "gateway.networking.k8s.io";
    public const string V1 = Group + "/v1";
    public const string V1Beta1 = Group + "/v1beta1";
}
