using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing;

public sealed class RoutingObjectStoreTests
{
    private readonly InMemoryKube _kube = new();
    private readonly FakeTimeProvider _time = new();
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reconcile_then_SetRoutes_in_one_step_succeed_while_the_informer_cache_lags()
    {
        var lagging = new LaggingCache(_kube);
        var store = new RoutingObjectStore(lagging, _kube, _time);
        var router = new IstioRouter(store, new RouterObjects(store, Options.Create(new RoutingOptions())), NullLogger<IstioRouter>.Instance);
        await router.ReconcileAsync(Canary(), Ct);
        lagging.Sync<VirtualService>();
        lagging.Sync<DestinationRule>();

        // A spec change reshapes the VirtualService; the cache has not seen that write when the weights move.
        await router.ReconcileAsync(Canary(c => c.Spec.Service!.Timeout = "5s"), Ct);
        await router.SetRoutesAsync(Canary(c => c.Spec.Service!.Timeout = "5s"), new TrafficSplit(90, 10, false), SessionAffinityCookies.None, Ct);

        var vs = _kube.Get<VirtualService>("test", "podinfo")!;
        Assert.Equal("5s", vs.Spec.Http![0].Timeout);
        Assert.Equal(10, vs.Spec.Http[0].Route![1].Weight);
        Assert.Equal(new TrafficSplit(90, 10, false), await router.GetRoutesAsync(Canary(), Ct));
    }

    [Fact]
    public async Task The_cache_wins_again_once_it_has_seen_the_write_or_someone_elses()
    {
        var lagging = new LaggingCache(_kube);
        var store = new RoutingObjectStore(lagging, _kube, _time);
        var svc = await store.CreateAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "test" } }, Ct);

        Assert.Equal(svc.Metadata.ResourceVersion, store.Get<V1Service>("test", "a")!.Metadata.ResourceVersion);

        var foreign = RoutingConventions.Clone(svc);
        foreign.Metadata.Labels = new Dictionary<string, string> { ["by"] = "someone-else" };
        await _kube.ReplaceAsync(foreign, Ct);
        lagging.Sync<V1Service>();

        Assert.Equal("someone-else", store.Get<V1Service>("test", "a")!.Metadata.Labels["by"]);
    }

    [Fact]
    public async Task A_created_object_the_cache_never_shows_is_forgotten_after_the_grace_period()
    {
        var store = new RoutingObjectStore(new LaggingCache(_kube), _kube, _time);
        await store.CreateAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "test" } }, Ct);

        Assert.NotNull(store.Get<V1Service>("test", "a"));
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(store.Get<V1Service>("test", "a"));
    }

    /// <summary>An informer cache that only sees the cluster when told to sync.</summary>
    private sealed class LaggingCache(InMemoryKube kube) : IKubeCache
    {
        private readonly Dictionary<(Type, string, string), object> _seen = [];

        public event Action<ObjectChange>? Changed { add { } remove { } }

        public void Sync<T>() where T : class, IKubernetesObject<V1ObjectMeta>
        {
            foreach (var obj in kube.List<T>())
            {
                _seen[(typeof(T), obj.Metadata.NamespaceProperty, obj.Metadata.Name)] = RoutingConventions.Clone(obj);
            }
        }

        public T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> =>
            _seen.TryGetValue((typeof(T), @namespace, name), out var obj) ? (T)obj : null;

        public IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
            _seen.Values.OfType<T>().Where(o => @namespace is null || o.Metadata.NamespaceProperty == @namespace).ToList();
    }
}
