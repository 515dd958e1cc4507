using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// The informer-backed <see cref="IKubeCache"/>: one informer per registered kind. Kinds registered with
/// <see cref="Watch{T}()"/> (Flagger's own kinds, the workloads' kinds) start with <see cref="RunAsync"/>; kinds registered
/// for routing providers with <see cref="Watch{T}(IReadOnlyCollection{string})"/> start only when
/// <see cref="EnsureWatchingAsync"/> is called for one of their providers (a canary uses it), so a provider nobody uses
/// costs no request, no log line and no memory. A kind registered both ways starts at boot.
/// </summary>
/// <remarks>
/// Reading a kind that was never registered, or an on-demand kind that has not listed once yet, is a programming error
/// and throws: a missing or not yet started watch must not look like "not found" (a router would create what exists).
/// </remarks>
internal sealed class KubeCache(KubeApiClient api, string? watchNamespace, ILoggerFactory loggers, TimeProvider time) : IKubeCache
{
    private readonly Dictionary<Type, Entry> _entries = [];
    private readonly Lock _gate = new();
    private readonly List<Task> _running = [];
    private readonly List<Entry> _pending = [];
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken? _stopping;

    /// <summary>Raised for every add, update and delete seen by any informer.</summary>
    public event Action<ObjectChange>? Changed;

    /// <summary>The informers that run: the boot kinds (before <see cref="RunAsync"/> too), and a provider's kinds once it is used.</summary>
    public IReadOnlyCollection<IInformer> Informers
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values.Where(e => e.AtBoot || e.Started).Select(e => e.Informer)];
            }
        }
    }

    /// <summary>Registers a kind watched from the start; call before <see cref="RunAsync"/>. Cluster-scoped kinds ignore the namespace scope.</summary>
    public KubeCache Watch<T>() where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Register<T>().AtBoot = true;
        return this;
    }

    /// <summary>
    /// Registers a kind read by the routers of <paramref name="providers"/> (catalog names): its informer starts at the first
    /// <see cref="EnsureWatchingAsync"/> of one of them (or at boot for a provider passed to <see cref="WatchAtBoot"/>).
    /// </summary>
    public KubeCache Watch<T>(IReadOnlyCollection<string> providers) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(providers);
        Register<T>().Providers.UnionWith(providers);
        return this;
    }

    /// <summary>The kinds of <paramref name="provider"/> start with the boot kinds (the global mesh provider: most canaries use it).</summary>
    public KubeCache WatchAtBoot(string provider)
    {
        foreach (var entry in _entries.Values.Where(e => e.Providers.Contains(provider)))
        {
            entry.AtBoot = true;
        }

        return this;
    }

    /// <summary>
    /// Starts the informers of the kinds <paramref name="provider"/>'s router reads (once: later calls and concurrent calls
    /// share them) and completes when each has listed once, or found its kind not installed (404, reported as such).
    /// Completes at once for a provider without on-demand kinds. Call before the provider's router reads the cache.
    /// </summary>
    /// <param name="provider">A provider's catalog name (<c>kuma</c>, <c>smi:v1alpha1</c>, <c>none</c>…).</param>
    /// <param name="cancellationToken">Stops the wait, not the informers (they run until the cache stops).</param>
    public Task EnsureWatchingAsync(string provider, CancellationToken cancellationToken)
    {
        List<Entry> entries;
        lock (_gate)
        {
            entries = [.. _entries.Values.Where(e => !e.AtBoot && e.Providers.Contains(provider))];
            foreach (var entry in entries)
            {
                StartLocked(entry);
            }
        }

        return entries.Count == 0 ? Task.CompletedTask : Task.WhenAll(entries.Select(e => e.Informer.Synced)).WaitAsync(cancellationToken);
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

    /// <summary>Runs the boot informers, and every on-demand informer started before or while it runs, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_stopping is not null)
            {
                throw new InvalidOperationException("the cache is already running");
            }

            _stopping = cancellationToken;
            foreach (var entry in _pending)
            {
                _running.Add(Run(entry.Informer, cancellationToken));
            }

            _pending.Clear();
            foreach (var entry in _entries.Values.Where(e => e.AtBoot))
            {
                StartLocked(entry);
            }
        }

        // Until stopped, or until an informer fails with an unexpected error (a bug), which fails the cache as before.
        var stopped = Task.Delay(Timeout.Infinite, cancellationToken);
        if (await Task.WhenAny(stopped, _failed.Task) == _failed.Task)
        {
            await _failed.Task;
        }

        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running);
    }

    /// <summary>Completes when every boot informer has listed once.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        List<Task> synced;
        lock (_gate)
        {
            synced = [.. _entries.Values.Where(e => e.AtBoot).Select(e => e.Informer.Synced)];
        }

        return Task.WhenAll(synced).WaitAsync(cancellationToken);
    }

    private Entry Register<T>() where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            if (_stopping is not null)
            {
                throw new InvalidOperationException($"{typeof(T).Name}: kinds are registered before the cache runs");
            }

            if (!_entries.TryGetValue(typeof(T), out var entry))
            {
                var kind = ResourceKind.Of<T>();
                var informer = new Informer<T>(api, kind.Namespaced ? watchNamespace : null, loggers.CreateLogger($"Flagger.Informer.{kind}"), time);
                informer.Changed += change => Changed?.Invoke(change);
                entry = new Entry(informer);
                _entries[typeof(T)] = entry;
            }

            return entry;
        }
    }

    // Marks the entry started: it runs now when the cache runs, else when RunAsync begins.
    private void StartLocked(Entry entry)
    {
        if (entry.Started)
        {
            return;
        }

        entry.Started = true;
        if (_stopping is { } stopping)
        {
            _running.Add(Run(entry.Informer, stopping));
        }
        else
        {
            _pending.Add(entry);
        }
    }

    // Task.Run: the informer's first list (and its Changed events) must not run under the lock or on the caller's stack.
    private Task Run(IInformer informer, CancellationToken stopping) =>
        Task.Run(async () =>
        {
            try
            {
                await informer.RunAsync(stopping);
            }
            catch (Exception e)
            {
                _failed.TrySetException(e);
                throw;
            }
        }, CancellationToken.None);

    private Informer<T> Informer<T>() where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (!_entries.TryGetValue(typeof(T), out var entry))
        {
            throw new InvalidOperationException($"{typeof(T).Name} is not watched; register it with KubeCache.Watch<{typeof(T).Name}>()");
        }

        if (!entry.AtBoot && !(entry.Started && entry.Informer.Synced.IsCompleted))
        {
            throw new InvalidOperationException(
                $"{entry.Informer.Kind} is watched on demand (providers {string.Join(", ", entry.Providers.Order(StringComparer.Ordinal))}) and has not been listed yet; "
                + "await KubeCache.EnsureWatchingAsync(provider) before its router reads it");
        }

        return (Informer<T>)entry.Informer;
    }

    private sealed class Entry(IInformer informer)
    {
        public IInformer Informer { get; } = informer;

        /// <summary>Started with the cache (a core kind, or a kind of the global mesh provider).</summary>
        public bool AtBoot { get; set; }

        /// <summary>The providers whose routers read the kind (empty for core kinds).</summary>
        public HashSet<string> Providers { get; } = new(StringComparer.Ordinal);

        private volatile bool _started;

        /// <summary>Its informer was asked to run (it runs once the cache runs); read without the lock by the cache's readers.</summary>
        public bool Started
        {
            get => _started;
            set => _started = value;
        }
    }
}
