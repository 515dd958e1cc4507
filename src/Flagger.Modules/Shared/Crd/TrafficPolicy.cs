// Field names follow upstream's CRD (flagger.app/v1beta1, artifacts/flagger/crd.yaml); every field is nullable so that
// an object round-trips without gaining defaults. Defaults are applied in one place: CanaryDefaults.
using System.Text.Json.Serialization;

namespace Flagger.Modules.Shared.Crd;

/// <summary>TrafficPolicy; upstream schema path <c>Canary.spec.service.trafficPolicy</c>.</summary>
public sealed class TrafficPolicy
{
    [JsonPropertyName("connectionPool")]
    public ConnectionPoolSettings? ConnectionPool { get; set; }

    [JsonPropertyName("loadBalancer")]
    public LoadBalancerSettings? LoadBalancer { get; set; }

    [JsonPropertyName("outlierDetection")]
    public OutlierDetection? OutlierDetection { get; set; }

    [JsonPropertyName("tls")]
    public ClientTlsSettings? Tls { get; set; }
}

/// <summary>ConnectionPoolSettings; upstream schema path <c>Canary.spec.service.trafficPolicy.connectionPool</c>.</summary>
public sealed class ConnectionPoolSettings
{
    [JsonPropertyName("http")]
    public HttpConnectionPoolSettings? Http { get; set; }
}

/// <summary>HttpConnectionPoolSettings; upstream schema path <c>Canary.spec.service.trafficPolicy.connectionPool.http</c>.</summary>
public sealed class HttpConnectionPoolSettings
{
    [JsonPropertyName("h2UpgradePolicy")]
    public string? H2UpgradePolicy { get; set; }

    [JsonPropertyName("http1MaxPendingRequests")]
    public int? Http1MaxPendingRequests { get; set; }

    [JsonPropertyName("http2MaxRequests")]
    public int? Http2MaxRequests { get; set; }

    [JsonPropertyName("idleTimeout")]
    public string? IdleTimeout { get; set; }

    [JsonPropertyName("maxRequestsPerConnection")]
    public int? MaxRequestsPerConnection { get; set; }

    [JsonPropertyName("maxRetries")]
    public int? MaxRetries { get; set; }
}

/// <summary>LoadBalancerSettings; upstream schema path <c>Canary.spec.service.trafficPolicy.loadBalancer</c>.</summary>
public sealed class LoadBalancerSettings
{
    [JsonPropertyName("consistentHash")]
    public ConsistentHashLoadBalancer? ConsistentHash { get; set; }

    [JsonPropertyName("localityLbSetting")]
    public LocalityLoadBalancerSetting? LocalityLbSetting { get; set; }

    [JsonPropertyName("simple")]
    public string? Simple { get; set; }

    [JsonPropertyName("warmupDurationSecs")]
    public string? WarmupDurationSecs { get; set; }
}

/// <summary>ConsistentHashLoadBalancer; upstream schema path <c>Canary.spec.service.trafficPolicy.loadBalancer.consistentHash</c>.</summary>
public sealed class ConsistentHashLoadBalancer
{
    [JsonPropertyName("httpCookie")]
    public HttpCookie? HttpCookie { get; set; }

    [JsonPropertyName("httpHeaderName")]
    public string? HttpHeaderName { get; set; }

    [JsonPropertyName("httpQueryParameterName")]
    public string? HttpQueryParameterName { get; set; }

    [JsonPropertyName("minimumRingSize")]
    public int? MinimumRingSize { get; set; }

    [JsonPropertyName("useSourceIp")]
    public bool? UseSourceIp { get; set; }
}

/// <summary>HttpCookie; upstream schema path <c>Canary.spec.service.trafficPolicy.loadBalancer.consistentHash.httpCookie</c>.</summary>
public sealed class HttpCookie
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("ttl")]
    public string? Ttl { get; set; }
}

/// <summary>LocalityLoadBalancerSetting; upstream schema path <c>Canary.spec.service.trafficPolicy.loadBalancer.localityLbSetting</c>.</summary>
public sealed class LocalityLoadBalancerSetting
{
    [JsonPropertyName("distribute")]
    public List<LocalityDistribute>? Distribute { get; set; }

    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    [JsonPropertyName("failover")]
    public List<LocalityFailover>? Failover { get; set; }
}

/// <summary>LocalityDistribute; upstream schema path <c>Canary.spec.service.trafficPolicy.loadBalancer.localityLbSetting.distribute[]</c>.</summary>
public sealed class LocalityDistribute
{
    [JsonPropertyName("from")]
    public string? From { get; set; }

    [JsonPropertyName("to")]
    public Dictionary<string, int>? To { get; set; }
}

/// <summary>LocalityFailover; upstream schema path <c>Canary.spec.service.trafficPolicy.loadBalancer.localityLbSetting.failover[]</c>.</summary>
public sealed class LocalityFailover
{
    [JsonPropertyName("from")]
    public string? From { get; set; }

    [JsonPropertyName("to")]
    public string? To { get; set; }
}

/// <summary>OutlierDetection; upstream schema path <c>Canary.spec.service.trafficPolicy.outlierDetection</c>.</summary>
public sealed class OutlierDetection
{
    [JsonPropertyName("baseEjectionTime")]
    public string? BaseEjectionTime { get; set; }

    [JsonPropertyName("consecutive5xxErrors")]
    public int? Consecutive5xxErrors { get; set; }

    [JsonPropertyName("consecutiveErrors")]
    public int? ConsecutiveErrors { get; set; }

    [JsonPropertyName("consecutiveGatewayErrors")]
    public int? ConsecutiveGatewayErrors { get; set; }

    [JsonPropertyName("consecutiveLocalOriginFailures")]
    public int? ConsecutiveLocalOriginFailures { get; set; }

    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("maxEjectionPercent")]
    public int? MaxEjectionPercent { get; set; }

    [JsonPropertyName("minHealthPercent")]
    public int? MinHealthPercent { get; set; }

    [JsonPropertyName("splitExternalLocalOriginErrors")]
    public bool? SplitExternalLocalOriginErrors { get; set; }
}

/// <summary>ClientTlsSettings; upstream schema path <c>Canary.spec.service.trafficPolicy.tls</c>.</summary>
public sealed class ClientTlsSettings
{
    [JsonPropertyName("caCertificates")]
    public string? CaCertificates { get; set; }

    [JsonPropertyName("clientCertificate")]
    public string? ClientCertificate { get; set; }

    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    [JsonPropertyName("privateKey")]
    public string? PrivateKey { get; set; }

    [JsonPropertyName("sni")]
    public string? Sni { get; set; }

    [JsonPropertyName("subjectAltNames")]
    public List<string>? SubjectAltNames { get; set; }
}
