// Field names follow upstream's CRD (flagger.app/v1beta1, artifacts/flagger/crd.yaml); every field is nullable so that
// an object round-trips without gaining defaults. Defaults are applied in one place: CanaryDefaults.
using System.Text.Json.Serialization;

namespace Flagger.Modules.Shared.Crd;

/// <summary>CanarySpec; upstream schema path <c>Canary.spec</c>.</summary>
public sealed class CanarySpec
{
    [JsonPropertyName("provider")]
    public string? Provider { get; set; }

    [JsonPropertyName("metricsServer")]
    public string? MetricsServer { get; set; }

    [JsonPropertyName("progressDeadlineSeconds")]
    public int? ProgressDeadlineSeconds { get; set; }

    [JsonPropertyName("targetRef")]
    public LocalObjectReference? TargetRef { get; set; }

    [JsonPropertyName("autoscalerRef")]
    public AutoscalerReference? AutoscalerRef { get; set; }

    [JsonPropertyName("ingressRef")]
    public LocalObjectReference? IngressRef { get; set; }

    [JsonPropertyName("routeRef")]
    public LocalObjectReference? RouteRef { get; set; }

    [JsonPropertyName("upstreamRef")]
    public CrossNamespaceObjectReference? UpstreamRef { get; set; }

    [JsonPropertyName("service")]
    public CanaryService? Service { get; set; }

    [JsonPropertyName("skipAnalysis")]
    public bool? SkipAnalysis { get; set; }

    [JsonPropertyName("revertOnDeletion")]
    public bool? RevertOnDeletion { get; set; }

    [JsonPropertyName("suspend")]
    public bool? Suspend { get; set; }

    [JsonPropertyName("analysis")]
    public CanaryAnalysis? Analysis { get; set; }
}

/// <summary>LocalObjectReference; upstream schema path <c>Canary.spec.targetRef</c>.</summary>
public sealed class LocalObjectReference
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }
}

/// <summary>AutoscalerReference; upstream schema path <c>Canary.spec.autoscalerRef</c>.</summary>
public sealed class AutoscalerReference
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("primaryScalerQueries")]
    public Dictionary<string, string>? PrimaryScalerQueries { get; set; }

    [JsonPropertyName("primaryScalerReplicas")]
    public ScalerReplicas? PrimaryScalerReplicas { get; set; }
}

/// <summary>ScalerReplicas; upstream schema path <c>Canary.spec.autoscalerRef.primaryScalerReplicas</c>.</summary>
public sealed class ScalerReplicas
{
    [JsonPropertyName("minReplicas")]
    public int? MinReplicas { get; set; }

    [JsonPropertyName("maxReplicas")]
    public int? MaxReplicas { get; set; }
}

/// <summary>CrossNamespaceObjectReference; upstream schema path <c>Canary.spec.upstreamRef</c>.</summary>
public sealed class CrossNamespaceObjectReference
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }
}
