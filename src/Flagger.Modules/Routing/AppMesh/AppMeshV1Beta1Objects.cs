// Shape of appmesh.k8s.aws/v1beta1 VirtualNode and VirtualService (the first App Mesh controller, where the
// VirtualService carries its virtual router and routes) as upstream Flagger writes them (upstream:
// pkg/apis/appmesh/v1beta1/types.go). Fields we do not model are kept in Extensions.
using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s.Models;

namespace Flagger.Modules.Routing.AppMesh;

/// <summary>An App Mesh VirtualNode (<c>virtualnodes.appmesh.k8s.aws</c>, version <c>v1beta1</c>).</summary>
[KubernetesEntity(Group = AppMeshApi.Group, Kind = KubeKind, ApiVersion = AppMeshApi.V1Beta1, PluralName = KubePlural)]
public sealed class VirtualNodeV1Beta1() : CustomObject<VirtualNodeV1Beta1Spec>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta1, KubeKind)
{
    public const string KubeKind = "VirtualNode";
    public const string KubePlural = "virtualnodes";
}

/// <summary>A list of v1beta1 VirtualNodes as the API server returns it.</summary>
public sealed class VirtualNodeV1Beta1List() : CustomObjectList<VirtualNodeV1Beta1>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta1, "VirtualNodeList");

/// <summary>An App Mesh VirtualService (<c>virtualservices.appmesh.k8s.aws</c>, version <c>v1beta1</c>).</summary>
[KubernetesEntity(Group = AppMeshApi.Group, Kind = KubeKind, ApiVersion = AppMeshApi.V1Beta1, PluralName = KubePlural)]
public sealed class VirtualServiceV1Beta1() : CustomObject<VirtualServiceV1Beta1Spec>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta1, KubeKind)
{
    public const string KubeKind = "VirtualService";
    public const string KubePlural = "virtualservices";
}

/// <summary>A list of v1beta1 VirtualServices as the API server returns it.</summary>
public sealed class VirtualServiceV1Beta1List() : CustomObjectList<VirtualServiceV1Beta1>(AppMeshApi.Group + "/" + AppMeshApi.V1Beta1, "VirtualServiceList");

/// <summary>VirtualNode <c>spec</c> (v1beta1).</summary>
public sealed class VirtualNodeV1Beta1Spec
{
    [JsonPropertyName("meshName")]
    public string MeshName { get; set; } = "";

    [JsonPropertyName("listeners")]
    public List<AppMeshListenerV1Beta1>? Listeners { get; set; }

    [JsonPropertyName("serviceDiscovery")]
    public AppMeshServiceDiscoveryV1Beta1? ServiceDiscovery { get; set; }

    [JsonPropertyName("backends")]
    public List<AppMeshBackendV1Beta1>? Backends { get; set; }

    [JsonPropertyName("logging")]
    public AppMeshLogging? Logging { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualNode <c>spec.listeners[]</c> (v1beta1).</summary>
public sealed class AppMeshListenerV1Beta1
{
    [JsonPropertyName("portMapping")]
    public AppMeshPortMapping PortMapping { get; set; } = new();

    /// <summary><c>healthCheck</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualNode <c>spec.serviceDiscovery</c> (v1beta1).</summary>
public sealed class AppMeshServiceDiscoveryV1Beta1
{
    [JsonPropertyName("dns")]
    public AppMeshDnsV1Beta1? Dns { get; set; }

    /// <summary><c>cloudMap</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>DNS service discovery (v1beta1 spells it <c>hostName</c>).</summary>
public sealed class AppMeshDnsV1Beta1
{
    [JsonPropertyName("hostName")]
    public string HostName { get; set; } = "";
}

/// <summary>VirtualNode <c>spec.backends[]</c> (v1beta1): a virtual service by name.</summary>
public sealed class AppMeshBackendV1Beta1
{
    [JsonPropertyName("virtualService")]
    public AppMeshVirtualServiceNameV1Beta1 VirtualService { get; set; } = new();
}

/// <summary><c>backends[].virtualService</c> (v1beta1).</summary>
public sealed class AppMeshVirtualServiceNameV1Beta1
{
    [JsonPropertyName("virtualServiceName")]
    public string VirtualServiceName { get; set; } = "";
}

/// <summary>VirtualService <c>spec</c> (v1beta1): the mesh, its virtual router and the routes.</summary>
public sealed class VirtualServiceV1Beta1Spec
{
    [JsonPropertyName("meshName")]
    public string MeshName { get; set; } = "";

    [JsonPropertyName("virtualRouter")]
    public AppMeshVirtualRouterV1Beta1? VirtualRouter { get; set; }

    [JsonPropertyName("routes")]
    public List<AppMeshRouteV1Beta1>? Routes { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>VirtualService <c>spec.virtualRouter</c> (v1beta1).</summary>
public sealed class AppMeshVirtualRouterV1Beta1
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("listeners")]
    public List<AppMeshRouterListener>? Listeners { get; set; }
}

/// <summary>VirtualService <c>spec.routes[]</c> (v1beta1).</summary>
public sealed class AppMeshRouteV1Beta1
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("http")]
    public AppMeshHttpRouteV1Beta1? Http { get; set; }

    [JsonPropertyName("priority")]
    public long? Priority { get; set; }

    /// <summary><c>tcp</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A v1beta1 <c>http</c> route.</summary>
public sealed class AppMeshHttpRouteV1Beta1
{
    [JsonPropertyName("match")]
    public AppMeshHttpRouteMatch Match { get; set; } = new();

    [JsonPropertyName("action")]
    public AppMeshActionV1Beta1 Action { get; set; } = new();

    [JsonPropertyName("retryPolicy")]
    public AppMeshRetryPolicyV1Beta1? RetryPolicy { get; set; }
}

/// <summary>A v1beta1 route <c>action</c>.</summary>
public sealed class AppMeshActionV1Beta1
{
    [JsonPropertyName("weightedTargets")]
    public List<AppMeshWeightedTargetV1Beta1> WeightedTargets { get; set; } = [];
}

/// <summary>A v1beta1 weighted target: a virtual node by name and its weight.</summary>
public sealed class AppMeshWeightedTargetV1Beta1
{
    [JsonPropertyName("virtualNodeName")]
    public string VirtualNodeName { get; set; } = "";

    [JsonPropertyName("weight")]
    public long Weight { get; set; }
}

/// <summary>A v1beta1 HTTP retry policy.</summary>
public sealed class AppMeshRetryPolicyV1Beta1
{
    [JsonPropertyName("perRetryTimeoutMillis")]
    public long? PerRetryTimeoutMillis { get; set; }

    [JsonPropertyName("maxRetries")]
    public long? MaxRetries { get; set; }

    [JsonPropertyName("httpRetryEvents")]
    public List<string>? HttpRetryEvents { get; set; }

    [JsonPropertyName("tcpRetryEvents")]
    public List<string>? TcpRetryEvents { get; set; }
}
