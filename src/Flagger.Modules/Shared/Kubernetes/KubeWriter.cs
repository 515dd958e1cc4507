using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary><see cref="IKubeWriter"/> over the REST client; every call carries the client's request timeout.</summary>
internal sealed class KubeWriter(KubeApiClient api) : IKubeWriter
{
    public Task<T> CreateAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        api.CreateAsync(WithTypeMeta(obj), cancellationToken);

    public Task<T> ReplaceAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        api.ReplaceAsync(WithTypeMeta(obj), null, cancellationToken);

    public Task<T> ReplaceStatusAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        api.ReplaceAsync(WithTypeMeta(obj), "status", cancellationToken);

    public Task<T> PatchAsync<T>(string @namespace, string name, V1Patch patch, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        api.PatchAsync<T>(@namespace, name, patch, cancellationToken);

    public Task DeleteAsync<T>(string @namespace, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        api.DeleteAsync<T>(@namespace, name, cancellationToken);

    // Built-in models constructed in code often lack apiVersion/kind, which the API server requires.
    private static T WithTypeMeta<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceKind.Of<T>();
        obj.ApiVersion ??= kind.ApiVersion;
        obj.Kind ??= kind.Kind;
        return obj;
    }
}
