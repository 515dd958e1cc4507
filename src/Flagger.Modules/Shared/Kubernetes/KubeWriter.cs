using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary><see cref="IKubeWriter"/> over the REST client; every call carries the client's request timeout.</summary>
internal sealed class KubeWriter(KubeApiClient api, Leadership leadership) : IKubeWriter
{
    public Task<T> CreateAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        AsLeader($"create {obj.Metadata.Name}", ct => api.CreateAsync(WithTypeMeta(obj), ct), cancellationToken);

    public Task<T> ReplaceAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        AsLeader($"update {obj.Metadata.Name}", ct => api.ReplaceAsync(WithTypeMeta(obj), null, ct), cancellationToken);

    public Task<T> ReplaceStatusAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        AsLeader($"update status of {obj.Metadata.Name}", ct => api.ReplaceAsync(WithTypeMeta(obj), "status", ct), cancellationToken);

    public Task<T> PatchAsync<T>(string @namespace, string name, V1Patch patch, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        AsLeader($"patch {name}", ct => api.PatchAsync<T>(@namespace, name, patch, ct), cancellationToken);

    public Task DeleteAsync<T>(string @namespace, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        AsLeader($"delete {name}", async ct => { await api.DeleteAsync<T>(@namespace, name, ct); return true; }, cancellationToken);

    // A write runs only while leading, and is aborted the moment leadership is lost.
    private async Task<TResult> AsLeader<TResult>(string action, Func<CancellationToken, Task<TResult>> write, CancellationToken cancellationToken)
    {
        leadership.EnsureLeader(action);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leadership.Token);
        return await write(linked.Token);
    }

    // Built-in models constructed in code often lack apiVersion/kind, which the API server requires.
    private static T WithTypeMeta<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceKind.Of<T>();
        obj.ApiVersion ??= kind.ApiVersion;
        obj.Kind ??= kind.Kind;
        return obj;
    }
}
