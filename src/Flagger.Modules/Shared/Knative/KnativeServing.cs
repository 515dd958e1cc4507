using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Knative;

/// <summary>
/// A Knative Service (<c>services.serving.knative.dev</c>, version <c>v1</c>): the one model of the kind, so the cache
/// watches it once for the knative router (Routing), the Knative target (Workloads) and <c>{{ route }}</c> (Analysis).
/// <c>spec.traffic</c> and <c>status</c> are modelled; everything else (the revision template, conditions) round-trips
/// through extension data. Writes are merge patches of the fields Flagger owns.
/// </summary>
[KubernetesEntity(Group = Group, Kind = KubeKind, ApiVersion = Version, PluralName = KubePlural)]
public sealed class KnativeService : IKubernetesObject<V1ObjectMeta>, ISpec<KnativeServiceSpec>
{
    public const string Group = "serving.knative.dev";
    public const string Version = "v1";
    public const string KubeKind = "Service";
    public const string KubePlural = "services";

    /// <summary>The annotation on the Knative Service naming the revision that serves as primary.</summary>
    // upstream: pkg/router/knative.go, pkg/canary/knative_controller.go
    public const string PrimaryRevisionAnnotation = "flagger.app/primary-revision";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = Group + "/" + Version;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public KnativeServiceSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public KnativeServiceStatus? Status { get; set; }

    /// <summary>The primary revision named by <see cref="PrimaryRevisionAnnotation"/>, or null.</summary>
    public string? PrimaryRevision =>
        Metadata.Annotations?.TryGetValue(PrimaryRevisionAnnotation, out var revision) == true ? revision : null;
}

/// <summary>The modelled part of a Knative Service spec: its traffic targets.</summary>
public sealed class KnativeServiceSpec
{
    [JsonPropertyName("traffic")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IList<KnativeTrafficTarget>? Traffic { get; set; }

    /// <summary>Fields not modelled here (<c>template</c>, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>The modelled part of a Knative Service status.</summary>
public sealed class KnativeServiceStatus
{
    [JsonPropertyName("latestCreatedRevisionName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LatestCreatedRevisionName { get; set; }

    [JsonPropertyName("traffic")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IList<KnativeTrafficTarget>? Traffic { get; set; }

    /// <summary>Fields not modelled here (conditions, url, latestReadyRevisionName, …).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One Knative traffic target (<c>spec.traffic[]</c>, <c>status.traffic[]</c>).</summary>
public sealed class KnativeTrafficTarget
{
    [JsonPropertyName("revisionName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RevisionName { get; set; }

    [JsonPropertyName("latestRevision")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? LatestRevision { get; set; }

    [JsonPropertyName("percent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Percent { get; set; }

    /// <summary>Fields not modelled here (<c>tag</c>, <c>url</c>, <c>configurationName</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A Knative Revision (<c>serving.knative.dev/v1</c>): only its <c>Ready</c> condition is read.</summary>
[KubernetesEntity(Group = KnativeService.Group, Kind = "Revision", ApiVersion = "v1", PluralName = "revisions")]
public sealed class KnativeRevision : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KnativeService.Group + "/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Revision";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("status")]
    public KnativeRevisionStatus? Status { get; set; }

    /// <summary>Knative's <c>IsReady</c>: condition <c>Ready</c> is <c>True</c> (for the generation it observed).</summary>
    public bool IsReady =>
        Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true
        && (Status.ObservedGeneration is not { } observed || Metadata.Generation is not { } generation || observed >= generation);
}

/// <summary>Revision status: conditions and observed generation.</summary>
public sealed class KnativeRevisionStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<KnativeCondition>? Conditions { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A Knative condition (the fields read).</summary>
public sealed class KnativeCondition
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}
