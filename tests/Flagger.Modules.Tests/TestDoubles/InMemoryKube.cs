using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Tests.TestDoubles;

/// <summary>
/// An in-memory cache and writer for module tests: writes land in the cache at once, with resourceVersion checks,
/// and every write is recorded in <see cref="Writes"/> so tests can assert what a step changed.
/// </summary>
internal sealed class InMemoryKube : IKubeCache, IKubeWriter
{
    private readonly ConcurrentDictionary<(Type Type, string Namespace, string Name), object> _objects = new();
    private readonly ConcurrentDictionary<(Type Type, string Namespace, string Name), UnreadableObject> _unreadable = new();
    private long _resourceVersion;

    public List<(string Verb, string Kind, string Namespace, string Name)> Writes { get; } = [];

    public event Action<ObjectChange>? Changed;

    /// <summary>Puts an object into the cache without recording a write (the cluster's initial state).</summary>
    /// <summary>Told of every <see cref="EnsureWatchingAsync"/> (the cache itself is always complete).</summary>
    public Action<string>? WatchingProvider { get; set; }

    public Task EnsureWatchingAsync(string provider, CancellationToken cancellationToken)
    {
        WatchingProvider?.Invoke(provider);
        return Task.CompletedTask;
    }

    public T Seed<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var existed = _objects.ContainsKey(Key(obj));
        obj.Metadata.ResourceVersion = Interlocked.Increment(ref _resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _objects[Key(obj)] = Clone(obj);
        Changed?.Invoke(new ObjectChange(ResourceKindOf(typeof(T)), obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name, existed ? WatchEventType.Modified : WatchEventType.Added));
        return obj;
    }

    /// <summary>
    /// Puts an object the model cannot read into the cache, as the informer keeps it (e.g. a Canary with
    /// <c>threshold: "three"</c>); its status can then be written through <see cref="CanaryStatusUpdate"/>.
    /// </summary>
    public UnreadableObject SeedUnreadable<T>(string json) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var doc = System.Text.Json.JsonDocument.Parse(node.ToJsonString());
        if (KubeApiClient.TryRead<T>(doc.RootElement, out _, out var unreadable))
        {
            throw new InvalidOperationException("the object is readable; use Seed");
        }

        _objects.TryRemove((typeof(T), unreadable.Namespace, unreadable.Name), out _);
        _unreadable[(typeof(T), unreadable.Namespace, unreadable.Name)] = unreadable;
        Changed?.Invoke(new ObjectChange(ResourceKindOf(typeof(T)), unreadable.Namespace, unreadable.Name, WatchEventType.Modified));
        return unreadable;
    }

    public UnreadableObject? GetUnreadable<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> =>
        _unreadable.GetValueOrDefault((typeof(T), @namespace ?? "", name));

    public IReadOnlyList<UnreadableObject> ListUnreadable<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        [.. _unreadable.Where(kv => kv.Key.Type == typeof(T) && (@namespace is null || kv.Key.Namespace == @namespace)).Select(kv => kv.Value)];

    public T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> =>
        _objects.TryGetValue((typeof(T), @namespace ?? "", name), out var obj) ? (T)obj : null;

    public IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        _objects.Where(kv => kv.Key.Type == typeof(T) && (@namespace is null || kv.Key.Namespace == @namespace))
            .Select(kv => (T)kv.Value).ToList();

    public Task<T> CreateAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (_objects.ContainsKey(Key(obj)))
        {
            throw new KubeApiException(HttpStatusCode.Conflict, "AlreadyExists", $"{typeof(T).Name} \"{obj.Metadata.Name}\" already exists");
        }

        Record("create", obj);
        obj.Metadata.Generation = 1;
        return Task.FromResult(Clone(Seed(obj)));
    }

    public Task<T> ReplaceAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Task.FromResult(Replace("update", obj));

    public Task<T> ReplaceStatusAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Task.FromResult(obj is CanaryStatusUpdate update ? (T)(object)ReplaceUnreadableStatus(update) : Replace("update-status", obj));

    // The status subresource of a canary the model cannot read: only status and resourceVersion change.
    private CanaryStatusUpdate ReplaceUnreadableStatus(CanaryStatusUpdate update)
    {
        var key = (typeof(Canary), update.Metadata.NamespaceProperty ?? "", update.Metadata.Name);
        var current = _unreadable.GetValueOrDefault(key)
            ?? throw new KubeApiException(HttpStatusCode.NotFound, "NotFound", $"canary \"{update.Metadata.Name}\" not found");
        var node = System.Text.Json.Nodes.JsonNode.Parse(current.Raw.GetRawText())!.AsObject();
        if (update.Metadata.ResourceVersion is { } rv && rv != (string?)node["metadata"]!["resourceVersion"])
        {
            throw new KubeApiException(HttpStatusCode.Conflict, "Conflict", $"the object has been modified; resourceVersion {rv} is stale");
        }

        node["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
        node["status"] = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(update.Status));
        using var doc = System.Text.Json.JsonDocument.Parse(node.ToJsonString());
        _unreadable[key] = current with { Raw = doc.RootElement.Clone() };
        Writes.Add(("update-status", nameof(Canary), key.Item2, key.Item3));
        return KubernetesJson.Deserialize<CanaryStatusUpdate>(node.ToJsonString());
    }

    /// <summary>Applies JSON merge patches (RFC 7386); other patch types are not interpreted here (use the simulator).</summary>
    public Task<T> PatchAsync<T>(string @namespace, string name, V1Patch patch, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (patch.Type != V1Patch.PatchType.MergePatch)
        {
            throw new NotSupportedException($"InMemoryKube interprets only merge patches, not {patch.Type}; use ReplaceAsync in code under test or the simulator.");
        }

        var current = Get<T>(@namespace, name)
            ?? throw new KubeApiException(HttpStatusCode.NotFound, "NotFound", $"{typeof(T).Name} \"{name}\" not found");
        var patchText = patch.Content as string ?? KubernetesJson.Serialize(patch.Content);
        var merged = MergePatch(JsonNode.Parse(KubernetesJson.Serialize(current)), JsonNode.Parse(patchText));
        var result = KubernetesJson.Deserialize<T>(merged!.ToJsonString());
        Writes.Add(("patch", typeof(T).Name, @namespace ?? "", name));
        return Task.FromResult(Clone(Seed(result)));
    }

    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = MergePatch(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    public Task DeleteAsync<T>(string @namespace, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (_objects.TryRemove((typeof(T), @namespace ?? "", name), out _))
        {
            Writes.Add(("delete", typeof(T).Name, @namespace ?? "", name));
            Changed?.Invoke(new ObjectChange(ResourceKindOf(typeof(T)), @namespace ?? "", name, WatchEventType.Deleted));
        }

        return Task.CompletedTask;
    }

    private T Replace<T>(string verb, T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var current = Get<T>(obj.Metadata.NamespaceProperty, obj.Metadata.Name)
            ?? throw new KubeApiException(HttpStatusCode.NotFound, "NotFound", $"{typeof(T).Name} \"{obj.Metadata.Name}\" not found");
        if (obj.Metadata.ResourceVersion is { } rv && rv != current.Metadata.ResourceVersion)
        {
            throw new KubeApiException(HttpStatusCode.Conflict, "Conflict", $"the object has been modified; resourceVersion {rv} is stale");
        }

        Record(verb, obj);
        return Clone(Seed(obj));
    }

    private static (Type, string, string) Key<T>(T obj) where T : IKubernetesObject<V1ObjectMeta> =>
        (typeof(T), obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);

    private void Record<T>(string verb, T obj) where T : IKubernetesObject<V1ObjectMeta> =>
        Writes.Add((verb, typeof(T).Name, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name));

    private static T Clone<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    // Test types without [KubernetesEntity] still get a kind for change notifications.
    private static ResourceKind ResourceKindOf(Type type)
    {
        try
        {
            return ResourceKind.Of(type);
        }
        catch (InvalidOperationException)
        {
            return new ResourceKind("", "v1", type.Name, type.Name.ToLowerInvariant() + "s", Namespaced: true);
        }
    }
}
