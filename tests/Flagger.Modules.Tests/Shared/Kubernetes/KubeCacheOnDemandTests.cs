using System.Collections.Concurrent;
using Flagger.Modules.Routing.Contour;
using Flagger.Modules.Routing.Kuma;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.Analysis;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Shared.Kubernetes;

/// <summary>
/// A loopback API server answering LIST with the objects seeded per collection path, 404 for kinds not installed, and
/// 500 for every watch (the informer then waits on a fake clock that never moves, so each kind is listed exactly once
/// unless something starts it again).
/// </summary>
internal sealed class FakeListApi : IAsyncDisposable
{
    private readonly StubHttpServer _server;
    private readonly ConcurrentDictionary<string, string[]> _items = new();
    private readonly ConcurrentDictionary<string, bool> _missing = new();

    public FakeListApi() => _server = new StubHttpServer(Handle);

    /// <summary>Answers are delayed this long (so that concurrent first uses overlap).</summary>
    public TimeSpan Delay
    {
        get => _server.Delay;
        set => _server.Delay = value;
    }

    public KubeApiClient Client() =>
        new(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Url }), TimeSpan.FromSeconds(5));

    public void Seed(string path, params string[] items) => _items[path] = items;

    public void NotInstalled(string path) => _missing[path] = true;

    /// <summary>The LIST requests (not watches) of one collection path.</summary>
    public int Lists(string path) => _server.Requests.Count(r => r.Method == "GET" && r.Path == path && r.Query["watch"] is null);

    /// <summary>The WATCH requests of one collection path (this fake refuses them, and the informer's retry waits on fake time).</summary>
    public int Watches(string path) => _server.Requests.Count(r => r.Method == "GET" && r.Path == path && r.Query["watch"] is not null);

    /// <summary>Every request of any kind to one collection path (lists and watches).</summary>
    public int Requests(string path) => _server.Requests.Count(r => r.Path == path);

    private (int, string) Handle(RecordedRequest r)
    {
        if (_missing.ContainsKey(r.Path))
        {
            return (404, $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"the server could not find the requested resource ({{r.Path}})"}""");
        }

        if (r.Query["watch"] is not null)
        {
            return (500, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500,"message":"no watches here"}""");
        }

        var items = _items.GetValueOrDefault(r.Path) ?? [];
        return (200, $$"""{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[{{string.Join(",", items)}}]}""");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>Keeps every log line (category, level, text) so that a test can show which kinds spoke.</summary>
internal sealed class RecordingLoggers : ILoggerFactory
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}

/// <summary>
/// Routing providers' kinds are watched on demand: <see cref="KubeCache.Watch{T}(IReadOnlyCollection{string})"/> creates
/// the informer, <see cref="KubeCache.EnsureWatchingAsync"/> of one of its providers starts it and awaits its first list.
/// </summary>
public sealed class KubeCacheOnDemandTests : IAsyncLifetime
{
    private const string ConfigMaps = "/api/v1/configmaps";
    private const string TrafficRoutes = "/apis/kuma.io/v1alpha1/trafficroutes";
    private const string HttpProxies = "/apis/projectcontour.io/v1/httpproxies";
    private const string Services = "/api/v1/services";

    private const string Route = """{"apiVersion":"kuma.io/v1alpha1","kind":"TrafficRoute","metadata":{"name":"podinfo","resourceVersion":"5"},"mesh":"default","spec":{}}""";

    private readonly FakeListApi _api = new();
    private readonly RecordingLoggers _loggers = new();
    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Bounded, so that an informer that ignores cancellation fails this class instead of hanging the run.
        await _running.WaitAsync(TimeSpan.FromSeconds(30));
        await _api.DisposeAsync();
        _stop.Dispose();
    }

    // Core ConfigMaps at boot; Kuma's TrafficRoutes and Contour's HTTPProxies on demand, as the routing chains register them.
    private async Task<KubeCache> StartAsync(Action<KubeCache>? more = null)
    {
        var cache = new KubeCache(_api.Client(), null, _loggers, _time)
            .Watch<V1ConfigMap>()
            .Watch<TrafficRoute>(["kuma"])
            .Watch<HttpProxy>(["contour"]);
        more?.Invoke(cache);
        _running = cache.RunAsync(_stop.Token);
        await cache.WaitForSyncAsync(Ct);
        return cache;
    }

    private IEnumerable<string> LogCategories => _loggers.Lines.Select(l => l.Category);

    [Fact]
    public async Task Unused_provider_kinds_are_never_listed_nor_logged_and_are_not_running_informers()
    {
        var cache = await StartAsync();
        await cache.EnsureWatchingAsync("kuma", Ct);
        await Task.Delay(200, Ct);

        Assert.Equal(1, _api.Lists(ConfigMaps));
        Assert.Equal(0, _api.Requests(HttpProxies));
        Assert.DoesNotContain(LogCategories, c => c.Contains("httpproxies", StringComparison.Ordinal));
        Assert.Equal(["configmaps", "trafficroutes.kuma.io"], cache.Informers.Select(i => i.Kind.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Booting_lists_only_the_core_kinds()
    {
        var cache = await StartAsync();
        await Task.Delay(200, Ct);

        Assert.Equal(1, _api.Lists(ConfigMaps));
        Assert.Equal(0, _api.Requests(TrafficRoutes));
        Assert.Equal(0, _api.Requests(HttpProxies));
        Assert.Equal(["configmaps"], cache.Informers.Select(i => i.Kind.ToString()));
    }

    [Fact]
    public async Task The_first_use_lists_once_and_later_uses_and_reads_are_served_from_the_cache()
    {
        _api.Seed(TrafficRoutes, Route);
        var cache = await StartAsync();

        await cache.EnsureWatchingAsync("kuma", Ct);
        Assert.Equal(1, _api.Lists(TrafficRoutes));

        await cache.EnsureWatchingAsync("kuma", Ct);
        await cache.EnsureWatchingAsync("kuma", Ct);
        var route = Assert.Single(cache.List<TrafficRoute>());
        Assert.Equal("default", route.Mesh);
        Assert.Same(route, cache.Get<TrafficRoute>("", "podinfo"));
        Assert.True(cache.IsInstalled<TrafficRoute>());

        // Reads never reach the API: the only requests are the one list and the informer's watch (whose start races the
        // assertions, and whose retry after this fake's refusal waits on fake time, so there is at most one).
        Assert.Equal(1, _api.Lists(TrafficRoutes));
        Assert.InRange(_api.Watches(TrafficRoutes), 0, 1);
        Assert.Equal(_api.Lists(TrafficRoutes) + _api.Watches(TrafficRoutes), _api.Requests(TrafficRoutes));
    }

    [Fact]
    public async Task Concurrent_first_uses_start_one_informer_that_lists_once()
    {
        _api.Seed(TrafficRoutes, Route);
        var cache = await StartAsync();
        _api.Delay = TimeSpan.FromMilliseconds(300);

        var uses = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            await cache.EnsureWatchingAsync("kuma", Ct);
            return cache.List<TrafficRoute>().Count;
        }, Ct)).ToList();
        var seen = await Task.WhenAll(uses);

        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.Equal(1, _api.Lists(TrafficRoutes));
        Assert.Single(cache.Informers, i => i.Kind.Plural == "trafficroutes");
    }

    [Fact]
    public async Task A_missing_crd_of_a_used_provider_is_reported_not_installed_and_the_first_use_still_completes()
    {
        _api.NotInstalled(TrafficRoutes);
        var cache = await StartAsync();

        await cache.EnsureWatchingAsync("kuma", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.False(cache.IsInstalled<TrafficRoute>());
        Assert.Empty(cache.List<TrafficRoute>());
        Assert.Contains(_loggers.Lines, l => l.Category.Contains("trafficroutes.kuma.io", StringComparison.Ordinal)
            && l.Level == LogLevel.Warning && l.Message.Contains("is not installed in the cluster (404)", StringComparison.Ordinal));
        Assert.Equal(0, _api.Requests(HttpProxies));
        Assert.DoesNotContain(LogCategories, c => c.Contains("httpproxies", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reading_a_provider_kind_before_its_first_use_throws_instead_of_looking_empty()
    {
        _api.Seed(TrafficRoutes, Route);
        var cache = await StartAsync();

        var list = Assert.Throws<InvalidOperationException>(() => cache.List<TrafficRoute>());
        var get = Assert.Throws<InvalidOperationException>(() => cache.Get<TrafficRoute>("", "podinfo"));

        Assert.Contains("EnsureWatchingAsync", list.Message, StringComparison.Ordinal);
        Assert.Contains("kuma", get.Message, StringComparison.Ordinal);
        Assert.Equal(0, _api.Requests(TrafficRoutes));
    }

    [Fact]
    public async Task A_kind_also_registered_by_a_core_module_starts_at_boot_and_is_listed_once()
    {
        var cache = await StartAsync(c => c.Watch<V1Service>(["gloo", "kubernetes"]).Watch<V1Service>());

        Assert.Empty(cache.List<V1Service>());
        await cache.EnsureWatchingAsync("gloo", Ct);

        Assert.Equal(1, _api.Lists(Services));
        Assert.Contains(cache.Informers, i => i.Kind.Plural == "services");
    }

    [Fact]
    public async Task The_global_mesh_provider_kinds_start_at_boot_and_the_boot_sync_waits_for_them()
    {
        _api.Seed(TrafficRoutes, Route);
        var cache = await StartAsync(c => c.WatchAtBoot("kuma"));

        Assert.Single(cache.List<TrafficRoute>());
        Assert.Equal(1, _api.Lists(TrafficRoutes));
        Assert.Equal(0, _api.Requests(HttpProxies));
    }

    [Fact]
    public async Task A_provider_without_on_demand_kinds_completes_at_once_without_requests()
    {
        var cache = await StartAsync();
        var before = _api.Lists(ConfigMaps);

        var use = cache.EnsureWatchingAsync("istio", Ct);

        Assert.True(use.IsCompletedSuccessfully);
        Assert.Equal(before, _api.Lists(ConfigMaps));
    }
}
