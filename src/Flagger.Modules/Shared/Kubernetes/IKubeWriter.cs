using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// The narrow write side of the cluster. The resource path of each type comes from its
/// <see cref="KubernetesEntityAttribute"/> (built-in models carry it; our CRD types and router objects declare it).
/// Every call has a timeout and throws <see cref="KubeApiException"/> with the server's status on failure.
/// </summary>
public interface IKubeWriter
{
    /// <summary>Creates the object; throws with <c>409 AlreadyExists</c> when it exists.</summary>
    Task<T> CreateAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Replaces the object (PUT); its <c>metadata.resourceVersion</c> guards against lost updates (409 Conflict).</summary>
    Task<T> ReplaceAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Replaces the <c>status</c> subresource only.</summary>
    Task<T> ReplaceStatusAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Patches the object; <paramref name="patch"/> carries its content type (merge, JSON or strategic-merge).</summary>
    Task<T> PatchAsync<T>(string @namespace, string name, V1Patch patch, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Deletes the object; a missing object is not an error.</summary>
    Task DeleteAsync<T>(string @namespace, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;
}
