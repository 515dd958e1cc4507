using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Gloo;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Gloo;

public sealed class GlooRouterTests : TrafficRouterContract
{
    private const string PrimaryUpstream = "test-podinfo-primaryupstream-9898";
    private const string CanaryUpstream = "test-podinfo-canaryupstream-9898";

    private const string FluxAnnotations = """
        "kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"
        """;

    private const string ConfigUpstreamJson = """
        {"static":{"hosts":[{"addr":"example.com","port":80}]},
         "labels":{"team":"web"},
         "connectionConfig":{"connectTimeout":"2s","maxRequestsPerConnection":51},
         "circuitBreakers":{"maxConnections":10},
         "sslConfig":{"sni":"example.com"},
         "loadBalancerConfig":{"roundRobin":{"slowStartConfig":{"slowStartWindow":"2m","minWeightPercent":5}}},
         "useHttp2":true,
         "initialStreamWindowSize":65535,
         "httpProxyHostname":"proxy.example.com"}
        """;

    private readonly InMemoryKube _kube = new();

    public GlooRouterTests() => SeedServices(_kube);

    private RouteTable Table => _kube.Get<RouteTable>("test", "podinfo")!;

    protected override string Provider => "gloo";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube)
    {
        SeedServices(kube);
        return Router(kube);
    }

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new RouteTable
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<RouteTableSpec>("""
                {"routes":[{"matchers":[{"prefix":"/"}],"routeAction":{"single":{"upstream":{"name":"podinfo","namespace":"test"}}}}]}
                """),
        });
        return () => Json(kube.Get<RouteTable>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Reconcile_creates_kube_upstreams_for_primary_and_canary_and_the_route_table()
    {
        var canary = Canary(c =>
        {
            c.Spec.Provider = "gloo";
            c.Spec.Service!.Apex = new CustomMetadata { Labels = new() { ["l"] = "1" }, Annotations = new() { ["a"] = "2" } };
        });

        await Router(_kube).ReconcileAsync(canary, Ct);

        Assert.Equal(
            [("create", "GlooUpstream", "test", PrimaryUpstream), ("create", "GlooUpstream", "test", CanaryUpstream), ("create", "RouteTable", "test", "podinfo")],
            _kube.Writes);
        var primary = _kube.Get<GlooUpstream>("test", PrimaryUpstream)!;
        Assert.Equal("gloo.solo.io/v1", primary.ApiVersion);
        AssertJson("""{"kube":{"serviceName":"podinfo-primary","serviceNamespace":"test","servicePort":9898,"selector":{"app":"podinfo-primary"}}}""", primary.Spec);
        AssertJson(OwnerRefJson, primary.Metadata.OwnerReferences);
        AssertJson("""{"kube":{"serviceName":"podinfo-canary","serviceNamespace":"test","servicePort":9898,"selector":{"app":"podinfo"}}}""",
            _kube.Get<GlooUpstream>("test", CanaryUpstream)!.Spec);
        Assert.Equal("gateway.solo.io/v1", Table.ApiVersion);
        AssertJson($$$$"""
            {"routes":[{"inheritablePathMatchers":true,"routeAction":{"multi":{"destinations":[
              {"destination":{"upstream":{"name":"{{{{PrimaryUpstream}}}}","namespace":"test"}},"weight":100},
              {"destination":{"upstream":{"name":"{{{{CanaryUpstream}}}}","namespace":"test"}}}]}}}]}
            """, Table.Spec);
        AssertJson("""{"l":"1"}""", Table.Metadata.Labels);
        AssertJson($$$"""{"a":"2",{{{FluxAnnotations}}}}""", Table.Metadata.Annotations);
        AssertJson(OwnerRefJson, Table.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task The_upstreams_copy_the_connection_settings_of_the_upstream_ref_but_not_its_kind()
    {
        SeedConfigUpstream(_kube, ConfigUpstreamJson);

        await Router(_kube).ReconcileAsync(WithUpstreamRef(), Ct);

        var canaryUpstream = _kube.Get<GlooUpstream>("test", CanaryUpstream)!;
        AssertJson("""
            {"kube":{"serviceName":"podinfo-canary","serviceNamespace":"test","servicePort":9898,"selector":{"app":"podinfo"}},
             "labels":{"team":"web"},
             "connectionConfig":{"connectTimeout":"2s","maxRequestsPerConnection":51},
             "circuitBreakers":{"maxConnections":10},
             "sslConfig":{"sni":"example.com"},
             "loadBalancerConfig":{"roundRobin":{"slowStartConfig":{"slowStartWindow":"2m","minWeightPercent":5}}},
             "useHttp2":true,
             "initialStreamWindowSize":65535,
             "httpProxyHostname":"proxy.example.com"}
            """, canaryUpstream.Spec);
        AssertJson("""{"team":"web"}""", canaryUpstream.Metadata.Labels);
    }

    [Fact]
    public async Task A_changed_load_balancer_config_of_the_upstream_ref_is_carried_to_both_upstreams_and_nothing_else()
    {
        SeedConfigUpstream(_kube, ConfigUpstreamJson);
        var router = Router(_kube);
        await router.ReconcileAsync(WithUpstreamRef(), Ct);
        await router.ReconcileAsync(WithUpstreamRef(), Ct);
        _kube.Writes.Clear();

        SeedConfigUpstream(_kube, ConfigUpstreamJson.Replace("\"minWeightPercent\":5", "\"minWeightPercent\":20", StringComparison.Ordinal)
            .Replace("\"maxRequestsPerConnection\":51", "\"maxRequestsPerConnection\":7", StringComparison.Ordinal));
        await router.ReconcileAsync(WithUpstreamRef(), Ct);

        Assert.Equal([("update", "GlooUpstream", "test", PrimaryUpstream), ("update", "GlooUpstream", "test", CanaryUpstream)], _kube.Writes);
        var spec = Json(_kube.Get<GlooUpstream>("test", CanaryUpstream)!.Spec)!;
        Assert.Equal(20, spec["loadBalancerConfig"]!["roundRobin"]!["slowStartConfig"]!["minWeightPercent"]!.GetValue<double>());
        Assert.Equal(51, spec["connectionConfig"]!["maxRequestsPerConnection"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_missing_upstream_ref_or_generated_service_is_a_routing_error_that_names_it()
    {
        var missingRef = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).ReconcileAsync(WithUpstreamRef(), Ct));
        Assert.Equal("config upstream config-upstream.gloo-system get query error: not found (spec.upstreamRef)", missingRef.Message);

        var missingService = await Assert.ThrowsAsync<RoutingException>(() => Router(new InMemoryKube()).ReconcileAsync(Canary(), Ct));
        Assert.Equal("error creating flagger primary upstream: service podinfo-primary.test get query error: not found", missingService.Message);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task Ab_testing_matches_exact_and_regex_headers_and_methods_in_one_matcher()
    {
        var router = Router(_kube);
        var canary = Canary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match =
            [
                new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } },
                new HttpMatchRequest { Headers = new() { ["user-agent"] = new StringMatch { Regex = ".*Firefox.*" } }, Method = new StringMatch { Exact = "GET" } },
            ];
        });
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        AssertJson($$$$"""
            {"routes":[{"matchers":[{"headers":[{"name":"x-canary","value":"insider"},{"name":"user-agent","value":".*Firefox.*","regex":true}],"methods":["GET"]}],
              "inheritablePathMatchers":true,"routeAction":{"multi":{"destinations":[
              {"destination":{"upstream":{"name":"{{{{PrimaryUpstream}}}}","namespace":"test"}}},
              {"destination":{"upstream":{"name":"{{{{CanaryUpstream}}}}","namespace":"test"}},"weight":100}]}}}]}
            """, Table.Spec);
        Assert.Equal(TrafficSplit.AllCanary, await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task SetRoutes_writes_only_the_route_table_and_keeps_the_weights_through_a_reconcile()
    {
        var router = Router(_kube);
        await router.ReconcileAsync(Canary(), Ct);
        _kube.Writes.Clear();

        await router.SetRoutesAsync(Canary(), new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);
        await router.ReconcileAsync(Canary(), Ct);

        Assert.Equal([("update", "RouteTable", "test", "podinfo")], _kube.Writes);
        Assert.Equal(new TrafficSplit(80, 20, false), await router.GetRoutesAsync(Canary(), Ct));
    }

    [Fact]
    public async Task SetRoutes_refuses_zero_weights_for_both_with_upstreams_message()
    {
        var router = Router(_kube);
        await router.ReconcileAsync(Canary(), Ct);

        var error = await Assert.ThrowsAsync<RoutingException>(() =>
            router.SetRoutesAsync(Canary(), new TrafficSplit(0, 0, false), SessionAffinityCookies.None, Ct));

        Assert.Equal("RoutingRule podinfo.test update failed: no valid weights", error.Message);
    }

    private static Canary WithUpstreamRef() => Canary(c => c.Spec.UpstreamRef = new CrossNamespaceObjectReference
    {
        ApiVersion = "gloo.solo.io/v1", Kind = "Upstream", Name = "config-upstream", Namespace = "gloo-system",
    });

    private static void SeedConfigUpstream(InMemoryKube kube, string specJson) => kube.Seed(new GlooUpstream
    {
        Metadata = new V1ObjectMeta { Name = "config-upstream", NamespaceProperty = "gloo-system" },
        Spec = KubernetesJson.Deserialize<GlooUpstreamSpec>(specJson),
    });

    private static void SeedServices(InMemoryKube kube)
    {
        foreach (var (name, app) in new[] { ("podinfo-primary", "podinfo-primary"), ("podinfo-canary", "podinfo") })
        {
            kube.Seed(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
                Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = app }, Ports = [new V1ServicePort { Port = 9898 }] },
            });
        }
    }

    private static GlooRouter Router(InMemoryKube kube)
    {
        var store = Store(kube);
        return new GlooRouter(store, new RouterObjects(store, Options.Create(new RoutingOptions())), NullLogger<GlooRouter>.Instance);
    }
}
