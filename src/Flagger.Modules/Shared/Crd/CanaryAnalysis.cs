// Field names follow upstream's CRD (flagger.app/v1beta1, artifacts/flagger/crd.yaml); every field is nullable so that
// an object round-trips without gaining defaults. Defaults are applied in one place: CanaryDefaults.
using System.Text.Json.Serialization;

namespace Flagger.Modules.Shared.Crd;

/// <summary>CanaryAnalysis; upstream schema path <c>Canary.spec.analysis</c>.</summary>
public sealed class CanaryAnalysis
{
    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("iterations")]
    public int? Iterations { get; set; }

    [JsonPropertyName("threshold")]
    public int? Threshold { get; set; }

    [JsonPropertyName("maxWeight")]
    public int? MaxWeight { get; set; }

    [JsonPropertyName("stepWeight")]
    public int? StepWeight { get; set; }

    [JsonPropertyName("stepWeights")]
    public List<int>? StepWeights { get; set; }

    [JsonPropertyName("stepWeightPromotion")]
    public int? StepWeightPromotion { get; set; }

    [JsonPropertyName("mirror")]
    public bool? Mirror { get; set; }

    [JsonPropertyName("mirrorWeight")]
    public int? MirrorWeight { get; set; }

    [JsonPropertyName("primaryReadyThreshold")]
    public int? PrimaryReadyThreshold { get; set; }

    [JsonPropertyName("canaryReadyThreshold")]
    public int? CanaryReadyThreshold { get; set; }

    [JsonPropertyName("match")]
    public List<HttpMatchRequest>? Match { get; set; }

    [JsonPropertyName("metrics")]
    public List<CanaryMetric>? Metrics { get; set; }

    [JsonPropertyName("alerts")]
    public List<CanaryAlert>? Alerts { get; set; }

    [JsonPropertyName("webhooks")]
    public List<CanaryWebhook>? Webhooks { get; set; }

    [JsonPropertyName("sessionAffinity")]
    public SessionAffinity? SessionAffinity { get; set; }
}

/// <summary>CanaryMetric; upstream schema path <c>Canary.spec.analysis.metrics[]</c>.</summary>
public sealed class CanaryMetric
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("threshold")]
    public double? Threshold { get; set; }

    [JsonPropertyName("thresholdRange")]
    public CanaryThresholdRange? ThresholdRange { get; set; }

    [JsonPropertyName("query")]
    public string? Query { get; set; }

    [JsonPropertyName("templateRef")]
    public CrossNamespaceObjectReference? TemplateRef { get; set; }

    [JsonPropertyName("templateVariables")]
    public Dictionary<string, string>? TemplateVariables { get; set; }
}

/// <summary>CanaryThresholdRange; upstream schema path <c>Canary.spec.analysis.metrics[].thresholdRange</c>.</summary>
public sealed class CanaryThresholdRange
{
    [JsonPropertyName("min")]
    public double? Min { get; set; }

    [JsonPropertyName("max")]
    public double? Max { get; set; }
}

/// <summary>CanaryAlert; upstream schema path <c>Canary.spec.analysis.alerts[]</c>.</summary>
public sealed class CanaryAlert
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("severity")]
    public string? Severity { get; set; }

    [JsonPropertyName("providerRef")]
    public CrossNamespaceObjectReference? ProviderRef { get; set; }
}

/// <summary>CanaryWebhook; upstream schema path <c>Canary.spec.analysis.webhooks[]</c>.</summary>
public sealed class CanaryWebhook
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("muteAlert")]
    public bool? MuteAlert { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("timeout")]
    public string? Timeout { get; set; }

    [JsonPropertyName("retries")]
    public int? Retries { get; set; }

    [JsonPropertyName("disableTLS")]
    public bool? DisableTls { get; set; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; set; }
}

/// <summary>SessionAffinity; upstream schema path <c>Canary.spec.analysis.sessionAffinity</c>.</summary>
public sealed class SessionAffinity
{
    [JsonPropertyName("cookieName")]
    public string? CookieName { get; set; }

    [JsonPropertyName("primaryCookieName")]
    public string? PrimaryCookieName { get; set; }

    [JsonPropertyName("domain")]
    public string? Domain { get; set; }

    [JsonPropertyName("httpOnly")]
    public bool? HttpOnly { get; set; }

    [JsonPropertyName("maxAge")]
    public int? MaxAge { get; set; }

    [JsonPropertyName("partitioned")]
    public bool? Partitioned { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("sameSite")]
    public string? SameSite { get; set; }

    [JsonPropertyName("secure")]
    public bool? Secure { get; set; }
}
