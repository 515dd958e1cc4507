using System.Collections.Concurrent;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Routing;

/// <summary>
/// The cache and the writer as the routers use them, with read-your-writes: an informer cache sees a write only
/// when its watch event arrives, so a router that writes an object and reads it again in the same step (Reconcile,
/// then SetRoutes) would otherwise send a stale resourceVersion and get 409 Conflict. The object a write returned is
/// used while the cache still shows a version our writes replaced (or, after a create, nothing for a short while).
/// </summary>
internal sealed class RoutingObjectStore(IKubeCache cache, IKubeWriter writer, TimeProvider time)
{
    /// <summary>How long a created object is assumed to be in flight when the cache does not show it yet.</summary>
    private static readonly TimeSpan CreateGrace = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(Type Type, string Namespace, string Name), Written> _written = new();

    public T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var key = (typeof(T), @namespace, name);
        var cached = cache.Get<T>(@namespace, name);
        if (_written.TryGetValue(key, out var written))
        {
            var cacheIsBehind = cached is null
                ? written.Created && time.GetUtcNow() - written.At < CreateGrace
                : written.Replaced.Contains(cached.Metadata.ResourceVersion);
            if (cacheIsBehind)
            {
                return (T)written.Object;
            }

            _written.TryRemove(new KeyValuePair<(Type, string, string), Written>(key, written));
        }

        return cached;
    }

    public async Task<T> CreateAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var created = await writer.CreateAsync(obj, cancellationToken).ConfigureAwait(false);
        _written[Key(obj)] = new Written(created, Created: true, [], time.GetUtcNow());
        return created;
    }

    public async Task<T> ReplaceAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var replacedVersion = obj.Metadata.ResourceVersion;
        var replaced = await writer.ReplaceAsync(obj, cancellationToken).ConfigureAwait(false);
        if (replacedVersion is null)
        {
            return replaced;
        }

        // Consecutive writes before the cache catches up: every version they replaced means "cache is behind".
        var key = Key(obj);
        var previous = _written.TryGetValue(key, out var entry)
            && ((IKubernetesObject<V1ObjectMeta>)entry.Object).Metadata.ResourceVersion == replacedVersion
                ? entry
                : null;
        _written[key] = new Written(
            replaced, previous?.Created ?? false, [.. previous?.Replaced ?? [], replacedVersion], previous?.At ?? time.GetUtcNow());
        return replaced;
    }

    /// <summary>
    /// Replaces <paramref name="existing"/> with <paramref name="changed"/> (its modified clone) when the specs read by
    /// <paramref name="spec"/> differ semantically (<see cref="RoutingConventions.SemanticEquals"/>): the step of every
    /// router's SetRoutes that writes nothing when the routes are already as wanted. True when it wrote.
    /// </summary>
    public async Task<bool> ReplaceIfSpecChangedAsync<T, TSpec>(T existing, T changed, Func<T, TSpec> spec, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (RoutingConventions.SemanticEquals(RoutingConventions.ToNode(spec(changed)), RoutingConventions.ToNode(spec(existing))))
        {
            return false;
        }

        await ReplaceAsync(changed, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Applies <paramref name="patch"/> (no resourceVersion, so it cannot conflict) and reads the patched object back
    /// until the cache shows a version newer than the one it had before the patch.
    /// </summary>
    public async Task<T> PatchAsync<T>(string @namespace, string name, V1Patch patch, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var before = Get<T>(@namespace, name)?.Metadata.ResourceVersion;
        var patched = await writer.PatchAsync<T>(@namespace, name, patch, cancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            return patched;
        }

        var key = (typeof(T), @namespace, name);
        var previous = _written.TryGetValue(key, out var entry) ? entry : null;
        _written[key] = new Written(patched, previous?.Created ?? false, [.. previous?.Replaced ?? [], before], previous?.At ?? time.GetUtcNow());
        return patched;
    }

    private static (Type, string, string) Key<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta> =>
        (typeof(T), obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);

    private sealed record Written(object Object, bool Created, IReadOnlyList<string> Replaced, DateTimeOffset At);
}
