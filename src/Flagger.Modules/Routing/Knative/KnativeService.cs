using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing.Knative;

/// <summary>
/// A Knative Service (<c>services.serving.knative.dev</c>, version <c>v1</c>) as the knative router reads and writes it:
/// <c>spec.traffic</c> and <c>status.traffic</c>; everything else (the revision template, conditions) round-trips
/// through extension data.
/// </summary>
[KubernetesEntity(Group = Group, Kind = KubeKind, ApiVersion = Version, PluralName = KubePlural)]
public sealed class KnativeService() : CustomObject<KnativeServiceSpec, KnativeServiceStatus>(Group + "/" + Version, KubeKind)
{
    public const string Group = "serving.knative.dev";
    public const string Version = "v1";
    public const string KubeKind = "Service";
    public const string KubePlural = "services";

    /// <summary>The annotation on the Knative Service naming the revision that serves as primary.</summary>
    // upstream: pkg/router/knative.go, pkg/canary/knative_controller.go
    public const string PrimaryRevisionAnnotation = "flagger.app/primary-revision";
}

/// <summary>A list of Knative Services as the API server returns it.</summary>
public sealed class KnativeServiceList() : CustomObjectList<KnativeService>(KnativeService.Group + "/" + KnativeService.Version, "ServiceList");

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
