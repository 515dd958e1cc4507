// Field names follow upstream's CRD (flagger.app/v1beta1, artifacts/flagger/crd.yaml); every field is nullable so that
// an object round-trips without gaining defaults. Defaults are applied in one place: CanaryDefaults.
using System.Text.Json.Serialization;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>CanaryService; upstream schema path <c>Canary.spec.service</c>.</summary>
public sealed class CanaryService
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }

    [JsonPropertyName("portName")]
    public string? PortName { get; set; }

    [JsonPropertyName("appProtocol")]
    public string? AppProtocol { get; set; }

    [JsonPropertyName("trafficDistribution")]
    public string? TrafficDistribution { get; set; }

    [JsonPropertyName("targetPort")]
    public IntOrString? TargetPort { get; set; }

    [JsonPropertyName("portDiscovery")]
    public bool? PortDiscovery { get; set; }

    [JsonPropertyName("headless")]
    public bool? Headless { get; set; }

    [JsonPropertyName("timeout")]
    public string? Timeout { get; set; }

    [JsonPropertyName("backendTimeout")]
    public string? BackendTimeout { get; set; }

    [JsonPropertyName("meshName")]
    public string? MeshName { get; set; }

    [JsonPropertyName("backends")]
    public List<string>? Backends { get; set; }

    [JsonPropertyName("hosts")]
    public List<string>? Hosts { get; set; }

    [JsonPropertyName("delegation")]
    public bool? Delegation { get; set; }

    [JsonPropertyName("match")]
    public List<HttpMatchRequest>? Match { get; set; }

    [JsonPropertyName("retries")]
    public HttpRetry? Retries { get; set; }

    [JsonPropertyName("rewrite")]
    public HttpRewrite? Rewrite { get; set; }

    [JsonPropertyName("mirror")]
    public List<CanaryMirror>? Mirror { get; set; }

    [JsonPropertyName("headers")]
    public HeaderOperations? Headers { get; set; }

    [JsonPropertyName("gateways")]
    public List<string>? Gateways { get; set; }

    [JsonPropertyName("gatewayRefs")]
    public List<GatewayParentReference>? GatewayRefs { get; set; }

    [JsonPropertyName("corsPolicy")]
    public CorsPolicy? CorsPolicy { get; set; }

    [JsonPropertyName("trafficPolicy")]
    public TrafficPolicy? TrafficPolicy { get; set; }

    [JsonPropertyName("apex")]
    public CustomMetadata? Apex { get; set; }

    [JsonPropertyName("primary")]
    public CustomMetadata? Primary { get; set; }

    [JsonPropertyName("canary")]
    public CustomMetadata? Canary { get; set; }

    [JsonPropertyName("unmanagedMetadata")]
    public UnmanagedMetadata? UnmanagedMetadata { get; set; }
}

/// <summary>HttpMatchRequest; upstream schema path <c>Canary.spec.service.match[]</c>.</summary>
public sealed class HttpMatchRequest
{
    [JsonPropertyName("authority")]
    public StringMatch? Authority { get; set; }

    [JsonPropertyName("gateways")]
    public List<string>? Gateways { get; set; }

    [JsonPropertyName("headers")]
    public Dictionary<string, StringMatch>? Headers { get; set; }

    [JsonPropertyName("ignoreUriCase")]
    public bool? IgnoreUriCase { get; set; }

    [JsonPropertyName("method")]
    public StringMatch? Method { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }

    [JsonPropertyName("queryParams")]
    public Dictionary<string, StringMatch>? QueryParams { get; set; }

    [JsonPropertyName("scheme")]
    public StringMatch? Scheme { get; set; }

    [JsonPropertyName("sourceLabels")]
    public Dictionary<string, string>? SourceLabels { get; set; }

    [JsonPropertyName("sourceNamespace")]
    public string? SourceNamespace { get; set; }

    [JsonPropertyName("uri")]
    public StringMatch? Uri { get; set; }

    [JsonPropertyName("withoutHeaders")]
    public Dictionary<string, StringMatch>? WithoutHeaders { get; set; }
}

/// <summary>StringMatch; upstream schema path <c>Canary.spec.service.match[].authority</c>.</summary>
public sealed class StringMatch
{
    [JsonPropertyName("exact")]
    public string? Exact { get; set; }

    [JsonPropertyName("prefix")]
    public string? Prefix { get; set; }

    [JsonPropertyName("suffix")]
    public string? Suffix { get; set; }

    [JsonPropertyName("regex")]
    public string? Regex { get; set; }
}

/// <summary>HttpRetry; upstream schema path <c>Canary.spec.service.retries</c>.</summary>
public sealed class HttpRetry
{
    [JsonPropertyName("attempts")]
    public int? Attempts { get; set; }

    [JsonPropertyName("perTryTimeout")]
    public string? PerTryTimeout { get; set; }

    [JsonPropertyName("retryOn")]
    public string? RetryOn { get; set; }
}

/// <summary>HttpRewrite; upstream schema path <c>Canary.spec.service.rewrite</c>.</summary>
public sealed class HttpRewrite
{
    [JsonPropertyName("uri")]
    public string? Uri { get; set; }

    [JsonPropertyName("authority")]
    public string? Authority { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }
}

/// <summary>CanaryMirror; upstream schema path <c>Canary.spec.service.mirror[]</c>.</summary>
public sealed class CanaryMirror
{
    [JsonPropertyName("backendRef")]
    public BackendObjectReference? BackendRef { get; set; }
}

/// <summary>BackendObjectReference; upstream schema path <c>Canary.spec.service.mirror[].backendRef</c>.</summary>
public sealed class BackendObjectReference
{
    [JsonPropertyName("group")]
    public string? Group { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }
}

/// <summary>HeaderOperations; upstream schema path <c>Canary.spec.service.headers</c>.</summary>
public sealed class HeaderOperations
{
    [JsonPropertyName("request")]
    public HeaderOperation? Request { get; set; }

    [JsonPropertyName("response")]
    public HeaderOperation? Response { get; set; }
}

/// <summary>HeaderOperation; upstream schema path <c>Canary.spec.service.headers.request</c>.</summary>
public sealed class HeaderOperation
{
    [JsonPropertyName("add")]
    public Dictionary<string, string>? Add { get; set; }

    [JsonPropertyName("remove")]
    public List<string>? Remove { get; set; }

    [JsonPropertyName("set")]
    public Dictionary<string, string>? Set { get; set; }
}

/// <summary>GatewayParentReference; upstream schema path <c>Canary.spec.service.gatewayRefs[]</c>.</summary>
public sealed class GatewayParentReference
{
    [JsonPropertyName("group")]
    public string? Group { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("sectionName")]
    public string? SectionName { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }
}

/// <summary>CorsPolicy; upstream schema path <c>Canary.spec.service.corsPolicy</c>.</summary>
public sealed class CorsPolicy
{
    [JsonPropertyName("allowCredentials")]
    public bool? AllowCredentials { get; set; }

    [JsonPropertyName("allowHeaders")]
    public List<string>? AllowHeaders { get; set; }

    [JsonPropertyName("allowMethods")]
    public List<string>? AllowMethods { get; set; }

    [JsonPropertyName("allowOrigin")]
    public List<string>? AllowOrigin { get; set; }

    [JsonPropertyName("allowOrigins")]
    public List<StringMatch>? AllowOrigins { get; set; }

    [JsonPropertyName("exposeHeaders")]
    public List<string>? ExposeHeaders { get; set; }

    [JsonPropertyName("maxAge")]
    public string? MaxAge { get; set; }
}

/// <summary>CustomMetadata; upstream schema path <c>Canary.spec.service.apex</c>.</summary>
public sealed class CustomMetadata
{
    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>UnmanagedMetadata; upstream schema path <c>Canary.spec.service.unmanagedMetadata</c>.</summary>
public sealed class UnmanagedMetadata
{
    [JsonPropertyName("annotations")]
    public List<string>? Annotations { get; set; }

    [JsonPropertyName("labels")]
    public List<string>? Labels { get; set; }
}
