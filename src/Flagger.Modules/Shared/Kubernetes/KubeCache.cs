using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// The informer-backed <see cref="IKubeCache"/>: one informer per registered kind, all started together. Reading a
/// kind that was never registered is a programming error and throws, so a missing watch cannot hide as "not found".
/// </summary>
internal sealed class KubeCache(KubeApiClient api, string? watchNamespace, ILoggerFactory loggers, TimeProvider time) : IKubeCache
{
    private readonly Dictionary<Type, IInformer> _informers = [];

    /// <summary>Raised for every add, update and delete seen by any informer.</summary>
    public event Action<ObjectChange>? Changed;

    public IReadOnlyCollection<IInformer> Informers => _informers.Values;

    /// <summary>Registers a kind to watch; call before <see cref="RunAsync"/>. Cluster-scoped kinds ignore the namespace scope.</summary>
    public KubeCache Watch<T>() where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceKind.Of<T>();
        var informer = new Informer<T>(api, kind.Namespaced ? watchNamespace : null, loggers.CreateLogger($"Flagger.Informer.{kind}"), time);
        informer.Changed += change => Changed?.Invoke(change);
        _informers[typeof(T)] = informer;
        return this;
    }

    public T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Informer<T>().Get(@namespace, name);

    public IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Informer<T>().List(@namespace);

    public UnreadableObject? GetUnreadable<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Informer<T>().GetUnreadable(@namespace, name);

    public IReadOnlyList<UnreadableObject> ListUnreadable<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Informer<T>().ListUnreadable(@namespace);

    /// <summary>Whether the kind's API exists in the cluster (false after a 404 on list, e.g. Istio not installed).</summary>
    public bool IsInstalled<T>() where T : class, IKubernetesObject<V1ObjectMeta> => Informer<T>().Installed;

    /// <summary>Runs every informer until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_informers.Values.Select(i => i.RunAsync(cancellationToken)));

    /// <summary>Completes when every informer has listed once.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_informers.Values.Select(i => i.Synced)).WaitAsync(cancellationToken);

    private Informer<T> Informer<T>() where T : class, IKubernetesObject<V1ObjectMeta> =>
        _informers.TryGetValue(typeof(T), out var informer)
            ? (Informer<T>)informer
            : throw new InvalidOperationException($"{typeof(T).Name} is not watched; register it with KubeCache.Watch<{typeof(T).Name}>()");
}
