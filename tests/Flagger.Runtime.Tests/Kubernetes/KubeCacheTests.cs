using System.Collections.Concurrent;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Simulator;
using Flagger.Simulator.Control;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Runtime.Tests.Kubernetes;

public sealed class KubeCacheTests : IAsyncLifetime
{
    private SimulatedCluster _cluster = null!;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public async ValueTask InitializeAsync() => _cluster = await TestCluster.StartAsync();

    private KubeCache StartCache(Action<KubeCache> watch, TimeProvider? time = null)
    {
        var cache = new KubeCache(TestCluster.Api(_cluster), null, NullLoggerFactory.Instance, time ?? TimeProvider.System);
        watch(cache);
        _running = cache.RunAsync(_stop.Token);
        return cache;
    }

    private static V1ConfigMap ConfigMap(string name, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
        Data = new Dictionary<string, string> { ["key"] = value },
    };

    [Fact]
    public async Task The_cache_follows_creates_updates_and_deletes_and_reports_each_change()
    {
        var changes = new ConcurrentQueue<ObjectChange>();
        var cache = StartCache(c => c.Watch<V1ConfigMap>());
        cache.Changed += changes.Enqueue;
        await cache.WaitForSyncAsync(TestContext.Current.CancellationToken);
        var writer = new KubeWriter(TestCluster.Api(_cluster), new Leadership(electionEnabled: false));

        var created = await writer.CreateAsync(ConfigMap("app", "v1"), TestContext.Current.CancellationToken);
        Assert.True(await TestCluster.EventuallyAsync(() => cache.Get<V1ConfigMap>("test", "app")?.Data["key"] == "v1"));

        created.Data["key"] = "v2";
        await writer.ReplaceAsync(created, TestContext.Current.CancellationToken);
        Assert.True(await TestCluster.EventuallyAsync(() => cache.Get<V1ConfigMap>("test", "app")?.Data["key"] == "v2"));

        await writer.DeleteAsync<V1ConfigMap>("test", "app", TestContext.Current.CancellationToken);
        Assert.True(await TestCluster.EventuallyAsync(() => cache.Get<V1ConfigMap>("test", "app") is null));

        var mine = changes.Where(c => c.Name == "app").Select(c => c.Type).ToList();
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], mine);
    }

    [Fact]
    public async Task Custom_resources_are_cached_with_their_typed_model()
    {
        var cache = StartCache(c => c.Watch<Canary>());
        await cache.WaitForSyncAsync(TestContext.Current.CancellationToken);
        var writer = new KubeWriter(TestCluster.Api(_cluster), new Leadership(electionEnabled: false));

        await writer.CreateAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "15s", Threshold = 5, MaxWeight = 50, StepWeight = 10 },
            },
        }, TestContext.Current.CancellationToken);

        Assert.True(await TestCluster.EventuallyAsync(() => cache.Get<Canary>("test", "podinfo")?.Spec.Analysis?.StepWeight == 10));
        Assert.Single(cache.List<Canary>("test"));
        Assert.Empty(cache.List<Canary>("other"));
    }

    [Fact]
    public async Task A_dropped_watch_resumes_without_losing_changes()
    {
        var cache = StartCache(c => c.Watch<V1ConfigMap>());
        await cache.WaitForSyncAsync(TestContext.Current.CancellationToken);
        var writer = new KubeWriter(TestCluster.Api(_cluster), new Leadership(electionEnabled: false));
        await writer.CreateAsync(ConfigMap("before", "1"), TestContext.Current.CancellationToken);
        Assert.True(await TestCluster.EventuallyAsync(() => cache.Get<V1ConfigMap>("test", "before") is not null));

        _cluster.Faults.Add(new FaultRule { Verb = "watch", Resource = "configmaps", DropWatch = true, Count = 1 });
        await writer.CreateAsync(ConfigMap("after", "2"), TestContext.Current.CancellationToken);

        Assert.True(await TestCluster.EventuallyAsync(() => cache.Get<V1ConfigMap>("test", "after") is not null, timeoutMs: 10000));
    }

    [Fact]
    public async Task A_kind_whose_crd_is_missing_reads_as_empty_and_is_reported_not_installed_until_the_crd_appears()
    {
        await using var bare = await TestCluster.StartAsync(installCrds: false);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new KubeCache(TestCluster.Api(bare), null, NullLoggerFactory.Instance, time);
        cache.Watch<Canary>();
        _running = cache.RunAsync(_stop.Token);

        await cache.WaitForSyncAsync(TestContext.Current.CancellationToken);
        Assert.False(cache.IsInstalled<Canary>());
        Assert.Null(cache.Get<Canary>("test", "podinfo"));

        using var client = new k8s.Kubernetes(bare.ClientConfiguration());
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(
            await File.ReadAllTextAsync(Path.Combine(TestCluster.RepositoryRoot, "deploy", "crds", "canaries.yaml"), TestContext.Current.CancellationToken));
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: TestContext.Current.CancellationToken);
        // The informer retries a missing kind every 30s; move the fake clock until it has looked again.
        Assert.True(await TestCluster.EventuallyAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(30));
            return cache.IsInstalled<Canary>();
        }));
    }

    [Fact]
    public async Task An_object_the_model_cannot_read_is_skipped_and_the_rest_of_the_kind_stays_cached()
    {
        // A cluster that still has upstream's CRD accepts fractional numbers where our model has integers.
        await using var lenient = await TestCluster.StartAsync(installCrds: false);
        using var client = new k8s.Kubernetes(lenient.ClientConfiguration());
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>("""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: { name: canaries.flagger.app }
            spec:
              group: flagger.app
              names: { kind: Canary, plural: canaries, singular: canary, listKind: CanaryList }
              scope: Namespaced
              versions:
              - name: v1beta1
                served: true
                storage: true
                subresources: { status: {} }
                schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
            """), cancellationToken: TestContext.Current.CancellationToken);
        Task Create(object body) => client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "flagger.app", "v1beta1", "test", "canaries", cancellationToken: TestContext.Current.CancellationToken);
        object CanaryWithThreshold(string name, object threshold) => new Dictionary<string, object>
        {
            ["apiVersion"] = "flagger.app/v1beta1",
            ["kind"] = "Canary",
            ["metadata"] = new Dictionary<string, object> { ["name"] = name, ["namespace"] = "test" },
            ["spec"] = new Dictionary<string, object> { ["analysis"] = new Dictionary<string, object> { ["threshold"] = threshold } },
        };
        await Create(CanaryWithThreshold("fractional", 1.5));
        await Create(CanaryWithThreshold("listed", 5));

        var cache = new KubeCache(TestCluster.Api(lenient), null, NullLoggerFactory.Instance, TimeProvider.System);
        cache.Watch<Canary>();
        _running = cache.RunAsync(_stop.Token);
        await cache.WaitForSyncAsync(TestContext.Current.CancellationToken);
        await Create(CanaryWithThreshold("watched-bad", 2.5));
        await Create(CanaryWithThreshold("watched", 3));

        Assert.True(await TestCluster.EventuallyAsync(() => cache.Get<Canary>("test", "watched") is not null));
        Assert.Equal(5, cache.Get<Canary>("test", "listed")?.Spec.Analysis?.Threshold);
        Assert.Null(cache.Get<Canary>("test", "fractional"));
        Assert.Null(cache.Get<Canary>("test", "watched-bad"));
    }

    [Fact]
    public void Reading_a_kind_that_is_not_watched_is_a_programming_error()
    {
        var cache = new KubeCache(TestCluster.Api(_cluster), null, NullLoggerFactory.Instance, TimeProvider.System);

        var error = Assert.Throws<InvalidOperationException>(() => cache.Get<V1Secret>("test", "x"));
        Assert.Contains("V1Secret is not watched", error.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        await _cluster.DisposeAsync();
        _stop.Dispose();
    }
}
