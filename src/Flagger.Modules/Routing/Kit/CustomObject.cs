using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing.Kit;

/// <summary>
/// A router's custom object (Istio VirtualService, Gateway API HTTPRoute, Contour HTTPProxy, SMI TrafficSplit, …):
/// <c>apiVersion</c>, <c>kind</c>, <c>metadata</c>, <c>spec</c> and <c>status</c> declared once. The derived class
/// carries the <see cref="KubernetesEntityAttribute"/> (where the kind lives on the API server) and the spec type.
/// Fields not modelled are kept in <see cref="Extensions"/>, so that a user's object round-trips without loss.
/// </summary>
/// <typeparam name="TSpec">The modelled <c>spec</c>.</typeparam>
/// <typeparam name="TStatus">The modelled <c>status</c> (routers only read it, if at all).</typeparam>
/// <example>
/// <code>
/// [KubernetesEntity(Group = "gateway.networking.k8s.io", Kind = "HTTPRoute", ApiVersion = "v1", PluralName = "httproutes")]
/// public sealed class HttpRoute() : CustomObject&lt;HttpRouteSpec, JsonObject&gt;("gateway.networking.k8s.io/v1", "HTTPRoute");
/// </code>
/// </example>
public abstract class CustomObject<TSpec, TStatus>(string apiVersion, string kind) : IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>
    where TSpec : new()
    where TStatus : class
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = apiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TStatus? Status { get; set; }

    /// <summary>Top-level fields not modelled here.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A router's custom object whose <c>status</c> is kept as raw JSON (see <see cref="CustomObject{TSpec, TStatus}"/>).</summary>
/// <typeparam name="TSpec">The modelled <c>spec</c>.</typeparam>
public abstract class CustomObject<TSpec>(string apiVersion, string kind) : CustomObject<TSpec, JsonObject>(apiVersion, kind)
    where TSpec : new();

/// <summary>A list of custom objects as the API server returns it.</summary>
/// <typeparam name="T">The item type.</typeparam>
public abstract class CustomObjectList<T>(string apiVersion, string kind) : IKubernetesObject<V1ListMeta>, IItems<T>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = apiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = kind;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = [];
}
