// Shape of projectcontour.io/v1 HTTPProxy as upstream Flagger writes it (pkg/apis/projectcontour/v1/httpproxy.go).
// Fields we do not model are kept in Extensions so that a user's object round-trips without loss.
using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s.Models;

namespace Flagger.Modules.Routing.Contour;

/// <summary>A Contour HTTPProxy (<c>httpproxies.projectcontour.io</c>, version <c>v1</c>).</summary>
[KubernetesEntity(Group = ContourApi.Group, Kind = KubeKind, ApiVersion = ContourApi.Version, PluralName = KubePlural)]
public sealed class HttpProxy() : CustomObject<HttpProxySpec>(ContourApi.GroupVersion, KubeKind)
{
    public const string KubeKind = "HTTPProxy";
    public const string KubePlural = "httpproxies";
}

/// <summary>A list of HTTPProxies as the API server returns it.</summary>
public sealed class HttpProxyList() : CustomObjectList<HttpProxy>(ContourApi.GroupVersion, "HTTPProxyList");

/// <summary>HTTPProxy <c>spec</c>.</summary>
public sealed class HttpProxySpec
{
    [JsonPropertyName("routes")]
    public List<ContourRoute>? Routes { get; set; }

    [JsonPropertyName("ingressClassName")]
    public string? IngressClassName { get; set; }

    /// <summary>Fields not modelled here (<c>virtualhost</c>, <c>includes</c>, <c>tcpproxy</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>HTTPProxy <c>spec.routes[]</c>.</summary>
public sealed class ContourRoute
{
    [JsonPropertyName("conditions")]
    public List<ContourMatchCondition>? Conditions { get; set; }

    [JsonPropertyName("services")]
    public List<ContourService>? Services { get; set; }

    [JsonPropertyName("timeoutPolicy")]
    public ContourTimeoutPolicy? TimeoutPolicy { get; set; }

    [JsonPropertyName("retryPolicy")]
    public ContourRetryPolicy? RetryPolicy { get; set; }

    /// <summary>Fields not modelled here (<c>loadBalancerPolicy</c>, <c>pathRewritePolicy</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A route condition: a path prefix and/or one header condition.</summary>
public sealed class ContourMatchCondition
{
    [JsonPropertyName("prefix")]
    public string? Prefix { get; set; }

    [JsonPropertyName("header")]
    public ContourHeaderCondition? Header { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A header condition (<c>exact</c>, <c>contains</c>, …).</summary>
public sealed class ContourHeaderCondition
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("exact")]
    public string? Exact { get; set; }

    [JsonPropertyName("contains")]
    public string? Contains { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A weighted upstream Service of a route.</summary>
public sealed class ContourService
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("port")]
    public int Port { get; set; }

    /// <summary>Omitted at 0, as upstream's <c>omitempty</c> writes it (Contour: unset = 0 once any service has a weight).</summary>
    [JsonPropertyName("weight")]
    public long? Weight { get; set; }

    [JsonPropertyName("requestHeadersPolicy")]
    public ContourHeadersPolicy? RequestHeadersPolicy { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Request or response header rewrites.</summary>
public sealed class ContourHeadersPolicy
{
    [JsonPropertyName("set")]
    public List<ContourHeaderValue>? Set { get; set; }

    [JsonPropertyName("remove")]
    public List<string>? Remove { get; set; }
}

/// <summary>A header name and value.</summary>
public sealed class ContourHeaderValue
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("value")]
    public string Value { get; set; } = "";
}

/// <summary>Route timeouts.</summary>
public sealed class ContourTimeoutPolicy
{
    [JsonPropertyName("response")]
    public string? Response { get; set; }

    [JsonPropertyName("idle")]
    public string? Idle { get; set; }
}

/// <summary>Route retries.</summary>
public sealed class ContourRetryPolicy
{
    /// <summary>Always written, as upstream's <c>count</c> has no omitempty.</summary>
    [JsonPropertyName("count")]
    public long Count { get; set; }

    [JsonPropertyName("perTryTimeout")]
    public string? PerTryTimeout { get; set; }

    [JsonPropertyName("retryOn")]
    public List<string>? RetryOn { get; set; }
}

/// <summary>Where Contour's kinds live.</summary>
public static class ContourApi
{
    public const string Group = "projectcontour.io";
    public const string Version = "v1";
    public const string GroupVersion = Group + "/" + Version;
}
