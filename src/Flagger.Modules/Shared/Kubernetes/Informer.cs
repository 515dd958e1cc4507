using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>What changed in a cache: the kind, the object's namespace and name, and the watch event type.</summary>
public readonly record struct ObjectChange(ResourceKind Kind, string Namespace, string Name, WatchEventType Type);

/// <summary>
/// Keeps one kind's objects in memory: list once, then watch from the list's resourceVersion, resuming from the last
/// seen version (bookmarks included) and relisting on <c>410 Gone</c>. A kind whose CRD is not installed answers 404:
/// the informer reports it as not installed, keeps the cache empty and retries slowly. An object the model cannot read
/// (a wrong JSON type) is kept aside as an <see cref="UnreadableObject"/> under its key, so its owner can report on it.
/// </summary>
internal sealed partial class Informer<T>(KubeApiClient api, string? @namespace, ILogger logger, TimeProvider time) : IInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan NotInstalledRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private const int WatchTimeoutSeconds = 300;

    private readonly ConcurrentDictionary<(string Namespace, string Name), T> _objects = new();
    private readonly ConcurrentDictionary<(string Namespace, string Name), UnreadableObject> _unreadable = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResourceKind Kind { get; } = ResourceKind.Of<T>();

    public bool Installed { get; private set; } = true;

    public Task Synced => _synced.Task;

    public event Action<ObjectChange>? Changed;

    public T? Get(string ns, string name) => _objects.GetValueOrDefault((ns ?? "", name));

    public IReadOnlyList<T> List(string? ns) =>
        ns is null ? [.. _objects.Values] : [.. _objects.Where(kv => kv.Key.Namespace == ns).Select(kv => kv.Value)];

    public UnreadableObject? GetUnreadable(string ns, string name) => _unreadable.GetValueOrDefault((ns ?? "", name));

    public IReadOnlyList<UnreadableObject> ListUnreadable(string? ns) =>
        ns is null ? [.. _unreadable.Values] : [.. _unreadable.Where(kv => kv.Key.Namespace == ns).Select(kv => kv.Value)];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ListAndWatchAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task ListAndWatchAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await RelistAsync(cancellationToken);
                await foreach (var (type, obj, rejected) in api.WatchAsync<T>(@namespace, null, resourceVersion, WatchTimeoutSeconds, cancellationToken))
                {
                    if (obj is null)
                    {
                        resourceVersion = ResourceVersionOf(rejected) ?? resourceVersion;
                        ApplyUnreadable(type, rejected!);
                        continue;
                    }

                    resourceVersion = obj.Metadata?.ResourceVersion ?? resourceVersion;
                    Apply(type, obj);
                    backoff = TimeSpan.FromSeconds(1);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Gone)
            {
                Log.WatchExpired(logger, Kind.ToString(), resourceVersion);
                resourceVersion = null;
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                if (Installed)
                {
                    Log.NotInstalled(logger, Kind.ToString());
                }

                Installed = false;
                resourceVersion = null;
                Clear();
                _synced.TrySetResult();
                await Task.Delay(NotInstalledRetry, time, cancellationToken);
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                Log.WatchFailed(logger, Kind.ToString(), backoff.TotalSeconds, e.Message);
                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task<string> RelistAsync(CancellationToken cancellationToken)
    {
        var (items, resourceVersion, rejected) = await api.ListAsync<T>(@namespace, null, cancellationToken);
        var seen = new HashSet<(string Namespace, string Name)>();
        foreach (var unreadable in rejected)
        {
            seen.Add((unreadable.Namespace, unreadable.Name));
            if (_unreadable.GetValueOrDefault((unreadable.Namespace, unreadable.Name)) is not { } old || ResourceVersionOf(old) != ResourceVersionOf(unreadable))
            {
                ApplyUnreadable(WatchEventType.Modified, unreadable);
            }
        }

        foreach (var item in items)
        {
            var key = Key(item);
            seen.Add(key);
            var type = _objects.ContainsKey(key) ? WatchEventType.Modified : WatchEventType.Added;
            if (!_objects.TryGetValue(key, out var old) || old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                _unreadable.TryRemove(key, out _);
                _objects[key] = item;
                Changed?.Invoke(new ObjectChange(Kind, key.Namespace, key.Name, type));
            }
        }

        foreach (var key in _objects.Keys.Concat(_unreadable.Keys).Where(k => !seen.Contains(k)).Distinct().ToList())
        {
            _objects.TryRemove(key, out _);
            _unreadable.TryRemove(key, out _);
            Changed?.Invoke(new ObjectChange(Kind, key.Namespace, key.Name, WatchEventType.Deleted));
        }

        if (!Installed)
        {
            Log.Installed(logger, Kind.ToString());
        }

        Installed = true;
        _synced.TrySetResult();
        return resourceVersion;
    }

    private void Apply(WatchEventType type, T obj)
    {
        if (type == WatchEventType.Bookmark)
        {
            return;
        }

        var key = Key(obj);
        _unreadable.TryRemove(key, out _);
        if (type == WatchEventType.Deleted)
        {
            _objects.TryRemove(key, out _);
        }
        else
        {
            _objects[key] = obj;
        }

        Changed?.Invoke(new ObjectChange(Kind, key.Namespace, key.Name, type));
    }

    // An object that became unreadable replaces its last readable version: acting on the stale one would hide the error.
    private void ApplyUnreadable(WatchEventType type, UnreadableObject unreadable)
    {
        if (type == WatchEventType.Bookmark)
        {
            return;
        }

        var key = (unreadable.Namespace, unreadable.Name);
        _objects.TryRemove(key, out _);
        if (type == WatchEventType.Deleted)
        {
            _unreadable.TryRemove(key, out _);
        }
        else
        {
            Log.Rejected(logger, Kind.ToString(), $"{unreadable.Namespace}/{unreadable.Name}", unreadable.ToString());
            _unreadable[key] = unreadable;
        }

        Changed?.Invoke(new ObjectChange(Kind, key.Namespace, key.Name, type));
    }

    private static string? ResourceVersionOf(UnreadableObject? unreadable) =>
        unreadable is not null && unreadable.Raw.ValueKind == System.Text.Json.JsonValueKind.Object && unreadable.Raw.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == System.Text.Json.JsonValueKind.Object
            && metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;

    private void Clear()
    {
        _unreadable.Clear();
        foreach (var key in _objects.Keys.ToList())
        {
            _objects.TryRemove(key, out _);
            Changed?.Invoke(new ObjectChange(Kind, key.Namespace, key.Name, WatchEventType.Deleted));
        }
    }

    private static (string Namespace, string Name) Key(T obj) => (obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Object} cannot be read into the model, kept for reporting: {Reason}")]
        public static partial void Rejected(ILogger logger, string kind, string @object, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Kind} expired at resourceVersion {ResourceVersion}; relisting")]
        public static partial void WatchExpired(ILogger logger, string kind, string? resourceVersion);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} is not installed in the cluster (404); its cache stays empty, retrying every 30s")]
        public static partial void NotInstalled(ILogger logger, string kind);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} is installed; cache synced")]
        public static partial void Installed(ILogger logger, string kind);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Kind} failed, retrying in {DelaySeconds}s: {Error}")]
        public static partial void WatchFailed(ILogger logger, string kind, double delaySeconds, string error);
    }
}

/// <summary>The type-independent face of an informer.</summary>
internal interface IInformer
{
    ResourceKind Kind { get; }

    bool Installed { get; }

    Task Synced { get; }

    event Action<ObjectChange>? Changed;

    Task RunAsync(CancellationToken cancellationToken);
}
