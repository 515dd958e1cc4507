using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Workloads.Keda;

/// <summary>
/// A KEDA ScaledObject (<c>keda.sh/v1alpha1</c>) with the spec fields upstream's model has (the primary copies exactly
/// these); the status is kept as read.
/// </summary>
// upstream: pkg/apis/keda/v1alpha1/scaledobject.go
[KubernetesEntity(Group = "keda.sh", Kind = "ScaledObject", ApiVersion = "v1alpha1", PluralName = "scaledobjects")]
internal sealed class ScaledObject : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>KEDA scales the target to this many replicas and stops autoscaling while the annotation is set.</summary>
    public const string PausedReplicasAnnotation = "autoscaling.keda.sh/paused-replicas";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "keda.sh/v1alpha1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ScaledObject";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ScaledObjectSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Status { get; set; }
}

/// <summary><c>spec</c> of a ScaledObject.</summary>
internal sealed class ScaledObjectSpec
{
    [JsonPropertyName("scaleTargetRef")]
    public ScaleTarget? ScaleTargetRef { get; set; }

    [JsonPropertyName("pollingInterval")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PollingInterval { get; set; }

    [JsonPropertyName("cooldownPeriod")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? CooldownPeriod { get; set; }

    [JsonPropertyName("idleReplicaCount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? IdleReplicaCount { get; set; }

    [JsonPropertyName("minReplicaCount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MinReplicaCount { get; set; }

    [JsonPropertyName("maxReplicaCount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxReplicaCount { get; set; }

    [JsonPropertyName("advanced")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdvancedConfig? Advanced { get; set; }

    [JsonPropertyName("triggers")]
    public IList<ScaleTrigger> Triggers { get; set; } = [];

    [JsonPropertyName("fallback")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ScaledObjectFallback? Fallback { get; set; }
}

/// <summary><c>spec.scaleTargetRef</c>.</summary>
internal sealed class ScaleTarget
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("apiVersion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; set; }

    [JsonPropertyName("envSourceContainerName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EnvSourceContainerName { get; set; }
}

/// <summary><c>spec.advanced</c>.</summary>
internal sealed class AdvancedConfig
{
    [JsonPropertyName("horizontalPodAutoscalerConfig")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; set; }

    [JsonPropertyName("restoreToOriginalReplicaCount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool RestoreToOriginalReplicaCount { get; set; }
}

/// <summary><c>spec.advanced.horizontalPodAutoscalerConfig</c>.</summary>
internal sealed class HorizontalPodAutoscalerConfig
{
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("behavior")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

/// <summary>One of <c>spec.triggers</c>.</summary>
internal sealed class ScaleTrigger
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("metadata")]
    public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();

    [JsonPropertyName("authenticationRef")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ScaledObjectAuthRef? AuthenticationRef { get; set; }

    [JsonPropertyName("metricType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MetricType { get; set; }
}

/// <summary><c>spec.triggers[].authenticationRef</c>.</summary>
internal sealed class ScaledObjectAuthRef
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("kind")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; set; }
}

/// <summary><c>spec.fallback</c>.</summary>
internal sealed class ScaledObjectFallback
{
    [JsonPropertyName("failureThreshold")]
    public int FailureThreshold { get; set; }

    [JsonPropertyName("replicas")]
    public int Replicas { get; set; }
}
