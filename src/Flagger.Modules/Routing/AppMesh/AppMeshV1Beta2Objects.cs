// Shape of appmesh.k8s.aws/v1beta2 VirtualNode, VirtualRouter and VirtualService as upstream Flagger writes them
// (upstream: pkg/apis/appmesh/v1beta2). Fields we do not model are kept in Extensions so a user's object round-trips.
using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s.Models;

namespace Flagger.Modules.Routing.AppMesh;

/// <summary>The App Mesh API group.</summary>
public static class AppMeshApi
{
    public const string Group = "appmesh.k8s.aws";
    public const string V1Beta1 = "v1beta1";
    public const string V1Beta2 = "v1beta2";
}

/// <summary>An App Mesh VirtualNode (<c>virtualnodes.appmesh.k8s.aws</c>, version <c>v1beta2</c>).</summary>
[KubernetesEntity(Group = AppMeshApi.Group, Kind = KubeKind, ApiVersion = AppMeshApi.V1Beta2, PluralName = KubePlural)]
public sealed class VirtualNodeV1Beta2() : CustomObject<VirtualNodeV1Beta2Spec>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta2, KubeKind)
{
    public const string KubeKind = "VirtualNode";
    public const string KubePlural = "virtualnodes";
}

/// <summary>A list of v1beta2 VirtualNodes as the API server returns it.</summary>
public sealed class VirtualNodeV1Beta2List() : CustomObjectList<VirtualNodeV1Beta2>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta2, "VirtualNodeList");

/// <summary>An App Mesh VirtualRouter (<c>virtualrouters.appmesh.k8s.aws</c>, version <c>v1beta2</c>).</summary>
[KubernetesEntity(Group = AppMeshApi.Group, Kind = KubeKind, ApiVersion = AppMeshApi.V1Beta2, PluralName = KubePlural)]
public sealed class VirtualRouterV1Beta2() : CustomObject<VirtualRouterV1Beta2Spec>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta2, KubeKind)
{
    public const string KubeKind = "VirtualRouter";
    public const string KubePlural = "virtualrouters";
}

/// <summary>A list of v1beta2 VirtualRouters as the API server returns it.</summary>
public sealed class VirtualRouterV1Beta2List() : CustomObjectList<VirtualRouterV1Beta2>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta2, "VirtualRouterList");

/// <summary>An App Mesh VirtualService (<c>virtualservices.appmesh.k8s.aws</c>, version <c>v1beta2</c>).</summary>
[KubernetesEntity(Group = AppMeshApi.Group, Kind = KubeKind, ApiVersion = AppMeshApi.V1Beta2, PluralName = KubePlural)]
public sealed class VirtualServiceV1Beta2() : CustomObject<VirtualServiceV1Beta2Spec>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta2, KubeKind)
{
    public const string KubeKind = "VirtualService";
    public const string KubePlural = "virtualservices";
}

/// <summary>A list of v1beta2 VirtualServices as the API server returns it.</summary>
public sealed class VirtualServiceV1Beta2List() : CustomObjectList<VirtualServiceV1Beta2>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta2, "VirtualServiceList");

/// <summary>VirtualNode <c>spec</c> (v1beta2).</summary>
public sealed class VirtualNodeV1Beta2Spec
{
    [JsonPropertyName("awsName")]
    public string? AwsName { get; set; }

    [JsonPropertyName("podSelector")]
    public V1LabelSelector? PodSelector { get; set; }

    [JsonPropertyName("listeners")]
    public List<AppMeshListener>? Listeners { get; set; }

    [JsonPropertyName("serviceDiscovery")]
    public AppMeshServiceDiscovery? ServiceDiscovery { get; set; }

    [JsonPropertyName("backends")]
    public List<AppMeshBackend>? Backends { get; set; }

    [JsonPropertyName("logging")]
    public AppMeshLogging? Logging { get; set; }

    /// <summary>Set by App Mesh's admission webhook; Flagger keeps it.</summary>
    [JsonPropertyName("meshRef")]
    public AppMeshReference? MeshRef { get; set; }

    /// <summary>Fields not modelled here (<c>backendDefaults</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualNode <c>spec.listeners[]</c>.</summary>
public sealed class AppMeshListener
{
    [JsonPropertyName("portMapping")]
    public AppMeshPortMapping PortMapping { get; set; } = new();

    [JsonPropertyName("timeout")]
    public AppMeshListenerTimeout? Timeout { get; set; }

    /// <summary>Fields not modelled here (<c>healthCheck</c>, <c>tls</c>, <c>outlierDetection</c>, <c>connectionPool</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A listener's <c>portMapping</c> (both versions).</summary>
public sealed class AppMeshPortMapping
{
    [JsonPropertyName("port")]
    public long Port { get; set; }

    [JsonPropertyName("protocol")]
    public string Protocol { get; set; } = "";
}

/// <summary>A listener's <c>timeout</c> (Flagger writes the <c>http</c> one whatever the protocol, as upstream).</summary>
public sealed class AppMeshListenerTimeout
{
    [JsonPropertyName("http")]
    public AppMeshHttpTimeout? Http { get; set; }

    /// <summary><c>tcp</c>, <c>http2</c>, <c>grpc</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>An HTTP timeout (<c>perRequest</c>, <c>idle</c>).</summary>
public sealed class AppMeshHttpTimeout
{
    [JsonPropertyName("perRequest")]
    public AppMeshDuration? PerRequest { get; set; }

    [JsonPropertyName("idle")]
    public AppMeshDuration? Idle { get; set; }
}

/// <summary>An App Mesh duration: <c>{unit: ms|s, value}</c>.</summary>
public sealed class AppMeshDuration
{
    [JsonPropertyName("unit")]
    public string Unit { get; set; } = "ms";

    [JsonPropertyName("value")]
    public long Value { get; set; }
}

/// <summary>VirtualNode <c>spec.serviceDiscovery</c> (v1beta2).</summary>
public sealed class AppMeshServiceDiscovery
{
    [JsonPropertyName("dns")]
    public AppMeshDns? Dns { get; set; }

    /// <summary><c>awsCloudMap</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>DNS service discovery (v1beta2 spells it <c>hostname</c>).</summary>
public sealed class AppMeshDns
{
    [JsonPropertyName("hostname")]
    public string Hostname { get; set; } = "";
}

/// <summary>VirtualNode <c>spec.backends[]</c> (v1beta2).</summary>
public sealed class AppMeshBackend
{
    [JsonPropertyName("virtualService")]
    public AppMeshVirtualServiceBackend VirtualService { get; set; } = new();
}

/// <summary>A backend virtual service, by reference or by ARN.</summary>
public sealed class AppMeshVirtualServiceBackend
{
    [JsonPropertyName("virtualServiceRef")]
    public AppMeshObjectReference? VirtualServiceRef { get; set; }

    [JsonPropertyName("virtualServiceARN")]
    public string? VirtualServiceArn { get; set; }

    /// <summary><c>clientPolicy</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A reference to an App Mesh object (<c>name</c>, optional <c>namespace</c>).</summary>
public sealed class AppMeshObjectReference
{
    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";
}

/// <summary>The mesh an object belongs to (<c>meshRef</c>, set by App Mesh's webhook).</summary>
public sealed class AppMeshReference
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("uid")]
    public string Uid { get; set; } = "";
}

/// <summary>VirtualNode <c>spec.logging</c> (both versions): <c>accessLog.file.path</c>.</summary>
public sealed class AppMeshLogging
{
    [JsonPropertyName("accessLog")]
    public AppMeshAccessLog? AccessLog { get; set; }
}

/// <summary><c>logging.accessLog</c>.</summary>
public sealed class AppMeshAccessLog
{
    [JsonPropertyName("file")]
    public AppMeshFileAccessLog? File { get; set; }
}

/// <summary><c>logging.accessLog.file</c>.</summary>
public sealed class AppMeshFileAccessLog
{
    [JsonPropertyName("path")]
    public string Path { get; set; } = "";
}

/// <summary>VirtualRouter <c>spec</c> (v1beta2).</summary>
public sealed class VirtualRouterV1Beta2Spec
{
    [JsonPropertyName("awsName")]
    public string? AwsName { get; set; }

    [JsonPropertyName("listeners")]
    public List<AppMeshRouterListener>? Listeners { get; set; }

    [JsonPropertyName("routes")]
    public List<AppMeshRouteV1Beta2>? Routes { get; set; }

    /// <summary>Set by App Mesh's admission webhook; Flagger keeps it.</summary>
    [JsonPropertyName("meshRef")]
    public AppMeshReference? MeshRef { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A virtual router's <c>listeners[]</c> (both versions).</summary>
public sealed class AppMeshRouterListener
{
    [JsonPropertyName("portMapping")]
    public AppMeshPortMapping PortMapping { get; set; } = new();
}

/// <summary>VirtualRouter <c>spec.routes[]</c> (v1beta2).</summary>
public sealed class AppMeshRouteV1Beta2
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("httpRoute")]
    public AppMeshHttpRouteV1Beta2? HttpRoute { get; set; }

    [JsonPropertyName("priority")]
    public long? Priority { get; set; }

    /// <summary><c>grpcRoute</c>, <c>http2Route</c>, <c>tcpRoute</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A v1beta2 <c>httpRoute</c>.</summary>
public sealed class AppMeshHttpRouteV1Beta2
{
    [JsonPropertyName("match")]
    public AppMeshHttpRouteMatch Match { get; set; } = new();

    [JsonPropertyName("action")]
    public AppMeshActionV1Beta2 Action { get; set; } = new();

    [JsonPropertyName("retryPolicy")]
    public AppMeshRetryPolicyV1Beta2? RetryPolicy { get; set; }

    [JsonPropertyName("timeout")]
    public AppMeshHttpTimeout? Timeout { get; set; }
}

/// <summary>An HTTP route's <c>match</c> (both versions).</summary>
public sealed class AppMeshHttpRouteMatch
{
    [JsonPropertyName("headers")]
    public List<AppMeshHttpRouteHeader>? Headers { get; set; }

    [JsonPropertyName("method")]
    public string? Method { get; set; }

    [JsonPropertyName("prefix")]
    public string Prefix { get; set; } = "/";

    [JsonPropertyName("scheme")]
    public string? Scheme { get; set; }
}

/// <summary>A header condition of a route match (both versions).</summary>
public sealed class AppMeshHttpRouteHeader
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("match")]
    public AppMeshHeaderMatch? Match { get; set; }

    [JsonPropertyName("invert")]
    public bool? Invert { get; set; }
}

/// <summary>How a header value is matched (<c>exact</c>, <c>prefix</c>, <c>regex</c>, <c>suffix</c>, <c>range</c>).</summary>
public sealed class AppMeshHeaderMatch
{
    [JsonPropertyName("exact")]
    public string? Exact { get; set; }

    [JsonPropertyName("prefix")]
    public string? Prefix { get; set; }

    [JsonPropertyName("regex")]
    public string? Regex { get; set; }

    [JsonPropertyName("suffix")]
    public string? Suffix { get; set; }

    /// <summary><c>range</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A v1beta2 route <c>action</c>.</summary>
public sealed class AppMeshActionV1Beta2
{
    [JsonPropertyName("weightedTargets")]
    public List<AppMeshWeightedTargetV1Beta2> WeightedTargets { get; set; } = [];
}

/// <summary>A v1beta2 weighted target: a virtual node by reference (or ARN) and its weight.</summary>
public sealed class AppMeshWeightedTargetV1Beta2
{
    [JsonPropertyName("virtualNodeRef")]
    public AppMeshObjectReference? VirtualNodeRef { get; set; }

    [JsonPropertyName("virtualNodeARN")]
    public string? VirtualNodeArn { get; set; }

    [JsonPropertyName("weight")]
    public long Weight { get; set; }
}

/// <summary>A v1beta2 HTTP retry policy.</summary>
public sealed class AppMeshRetryPolicyV1Beta2
{
    [JsonPropertyName("httpRetryEvents")]
    public List<string>? HttpRetryEvents { get; set; }

    [JsonPropertyName("tcpRetryEvents")]
    public List<string>? TcpRetryEvents { get; set; }

    [JsonPropertyName("maxRetries")]
    public long MaxRetries { get; set; }

    [JsonPropertyName("perRetryTimeout")]
    public AppMeshDuration PerRetryTimeout { get; set; } = new();
}

/// <summary>VirtualService <c>spec</c> (v1beta2).</summary>
public sealed class VirtualServiceV1Beta2Spec
{
    [JsonPropertyName("awsName")]
    public string? AwsName { get; set; }

    [JsonPropertyName("provider")]
    public AppMeshServiceProvider? Provider { get; set; }

    /// <summary>Set by App Mesh's admission webhook; Flagger keeps it.</summary>
    [JsonPropertyName("meshRef")]
    public AppMeshReference? MeshRef { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualService <c>spec.provider</c>: a virtual router (Flagger's) or a virtual node.</summary>
public sealed class AppMeshServiceProvider
{
    [JsonPropertyName("virtualRouter")]
    public AppMeshRouterProvider? VirtualRouter { get; set; }

    /// <summary><c>virtualNode</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary><c>provider.virtualRouter</c>.</summary>
public sealed class AppMeshRouterProvider
{
    [JsonPropertyName("virtualRouterRef")]
    public AppMeshObjectReference? VirtualRouterRef { get; set; }

    [JsonPropertyName("virtualRouterARN")]
    public string? VirtualRouterArn { get; set; }
}
