using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// The read side of the cluster: informer-backed caches kept current by list+watch. Reads never reach the API
/// server, so an idle canary costs no API calls. Objects handed out are shared: callers must clone before mutating.
/// </summary>
/// <example>
/// <code>
/// var deployment = cache.Get&lt;V1Deployment&gt;("test", "podinfo");
/// var templates = cache.List&lt;MetricTemplate&gt;("test");
/// </code>
/// </example>
public interface IKubeCache
{
    /// <summary>The cached object, or null when it does not exist (or its kind is not installed in the cluster).</summary>
    T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Cached objects of one kind, in one namespace or (null) all namespaces.</summary>
    IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>
    /// An object of a watched kind that exists but cannot be read into the model (a wrong JSON type), or null. Such an
    /// object is not returned by <see cref="Get{T}"/> or <see cref="List{T}"/>; its owner reports on it from here.
    /// </summary>
    UnreadableObject? GetUnreadable<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> => null;

    /// <summary>The unreadable objects of one kind (see <see cref="GetUnreadable{T}"/>), in one namespace or (null) all.</summary>
    IReadOnlyList<UnreadableObject> ListUnreadable<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> => [];

    /// <summary>Completes when every watched kind has been listed once (at once for caches that are always complete).</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Starts watching the kinds <paramref name="provider"/>'s router reads (once; concurrent calls share the start) and
    /// completes when each has been listed once or found not installed. A router's kinds are watched only from the first
    /// canary that uses the provider, so await this before its router reads the cache (at once for caches that are always complete).
    /// </summary>
    /// <param name="provider">A routing provider's catalog name (<c>ProviderCatalog.RouterName</c> of the canary's provider).</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    Task EnsureWatchingAsync(string provider, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Raised after the cache applied an add, update or delete of any watched kind.</summary>
    event Action<ObjectChange>? Changed;
}
