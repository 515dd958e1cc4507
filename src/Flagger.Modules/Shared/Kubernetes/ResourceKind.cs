using System.Collections.Concurrent;
using System.Reflection;
using k8s.Models;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>Where a C# model lives on the API server, read from its <see cref="KubernetesEntityAttribute"/>.</summary>
public sealed record ResourceKind(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    private static readonly ConcurrentDictionary<Type, ResourceKind> Known = new();

    // Kinds the operator touches that are not namespaced (TrafficRoute: Kuma's).
    private static readonly HashSet<string> ClusterScoped = ["Namespace", "Node", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "TrafficRoute"];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The kind of <typeparamref name="T"/>; throws for a type without <see cref="KubernetesEntityAttribute"/>.</summary>
    public static ResourceKind Of<T>() => Of(typeof(T));

    public static ResourceKind Of(Type type) => Known.GetOrAdd(type, static t =>
    {
        var entity = t.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new InvalidOperationException($"{t.Name} has no [KubernetesEntity] attribute, so its API path is unknown");
        return new ResourceKind(entity.Group ?? "", entity.ApiVersion, entity.Kind, entity.PluralName, !ClusterScoped.Contains(entity.Kind));
    });

    /// <summary>The collection path (<c>/apis/apps/v1/namespaces/test/deployments</c>); <paramref name="namespace"/> null = all namespaces.</summary>
    public string CollectionPath(string? @namespace)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        return Namespaced && !string.IsNullOrEmpty(@namespace)
            ? $"{root}/namespaces/{Uri.EscapeDataString(@namespace)}/{Plural}"
            : $"{root}/{Plural}";
    }

    /// <summary>The path of one object, optionally of a subresource such as <c>status</c>.</summary>
    public string ObjectPath(string? @namespace, string name, string? subresource = null) =>
        $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}" + (subresource is null ? "" : "/" + subresource);

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
