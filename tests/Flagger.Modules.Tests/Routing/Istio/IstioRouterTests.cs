using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Istio;

public sealed class IstioRouterTests : TrafficRouterContract
{
    private const string FluxAnnotations = """
        "kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"
        """;

    private readonly InMemoryKube _kube = new();

    private VirtualService Vs => _kube.Get<VirtualService>("test", "podinfo")!;

    protected override string Provider => "istio";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => IstioRouter(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new VirtualService
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<VirtualServiceSpec>("""
                {"hosts":["podinfo"],"exportTo":["."],"http":[{"name":"main","route":[{"destination":{"host":"podinfo","subset":"v1"}}]}]}
                """),
        });
        return () => Json(kube.Get<VirtualService>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Reconcile_creates_destination_rules_and_the_default_virtual_service()
    {
        var canary = Canary(c =>
        {
            c.Spec.Service!.TrafficPolicy = new TrafficPolicy { Tls = new ClientTlsSettings { Mode = "DISABLE" } };
            c.Spec.Service.Apex = new CustomMetadata { Labels = new() { ["l"] = "1" }, Annotations = new() { ["a"] = "2" } };
        });

        await IstioRouter(_kube).ReconcileAsync(canary, Ct);

        Assert.Equal(
            [("create", "DestinationRule", "test", "podinfo-canary"), ("create", "DestinationRule", "test", "podinfo-primary"), ("create", "VirtualService", "test", "podinfo")],
            _kube.Writes);
        var dr = _kube.Get<DestinationRule>("test", "podinfo-primary")!;
        Assert.Equal("networking.istio.io/v1beta1", dr.ApiVersion);
        AssertJson("""{"host":"podinfo-primary","trafficPolicy":{"tls":{"mode":"DISABLE"}}}""", dr.Spec);
        AssertJson(OwnerRefJson, dr.Metadata.OwnerReferences);
        AssertJson("""{"host":"podinfo-canary","trafficPolicy":{"tls":{"mode":"DISABLE"}}}""", _kube.Get<DestinationRule>("test", "podinfo-canary")!.Spec);
        AssertJson("""
            {"hosts":["podinfo"],"gateways":["mesh"],
             "http":[{"route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]}]}
            """, Vs.Spec);
        AssertJson("""{"l":"1"}""", Vs.Metadata.Labels);
        AssertJson($$"""{"a":"2",{{FluxAnnotations}}}""", Vs.Metadata.Annotations);
        AssertJson(OwnerRefJson, Vs.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Reconcile_renders_hosts_gateways_match_rewrite_retries_headers_cors_timeout_and_the_gateway_port()
    {
        var canary = CanaryFromYaml(BaseCanary.Replace("""
              service:
                port: 9898
            """, """
              service:
                port: 9898
                portDiscovery: true
                hosts: [app.example.com]
                gateways: [public-gateway.istio-system.svc.cluster.local]
                match:
                - uri: {prefix: /api}
                rewrite: {uri: /, authority: backend, type: ReplacePrefixMatch}
                timeout: 30s
                retries: {attempts: 3, perTryTimeout: 1s, retryOn: "gateway-error,connect-failure"}
                headers:
                  request:
                    add: {x-envoy-upstream-rq-timeout-ms: "15000"}
                  response:
                    remove: [x-powered-by]
                corsPolicy:
                  allowOrigins: [{exact: "https://example.com"}]
                  allowMethods: [GET, POST]
                  maxAge: 24h
            """, StringComparison.Ordinal));

        await IstioRouter(_kube).ReconcileAsync(canary, Ct);

        AssertJson("""
            {"hosts":["app.example.com","podinfo"],"gateways":["public-gateway.istio-system.svc.cluster.local"],
             "http":[{
               "match":[{"uri":{"prefix":"/api"}}],
               "route":[{"destination":{"host":"podinfo-primary","port":{"number":9898}},"weight":100},
                        {"destination":{"host":"podinfo-canary","port":{"number":9898}},"weight":0}],
               "rewrite":{"uri":"/","authority":"backend"},
               "timeout":"30s",
               "retries":{"attempts":3,"perTryTimeout":"1s","retryOn":"gateway-error,connect-failure"},
               "corsPolicy":{"allowMethods":["GET","POST"],"allowOrigins":[{"exact":"https://example.com"}],"maxAge":"24h"},
               "headers":{"request":{"add":{"x-envoy-upstream-rq-timeout-ms":"15000"}},"response":{"remove":["x-powered-by"]}}}]}
            """, Vs.Spec);
    }

    [Fact]
    public async Task The_mesh_gateway_and_a_wildcard_host_are_not_duplicated_and_mesh_means_no_explicit_port()
    {
        var canary = Canary(c =>
        {
            c.Spec.Service!.PortDiscovery = true;
            c.Spec.Service.Hosts = ["*"];
            c.Spec.Service.Gateways = ["mesh", "public-gateway"];
        });

        await IstioRouter(_kube).ReconcileAsync(canary, Ct);

        AssertJson("""
            {"hosts":["*"],"gateways":["mesh","public-gateway"],
             "http":[{"route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]}]}
            """, Vs.Spec);
    }

    [Fact]
    public async Task Delegation_empties_hosts_and_gateways_and_rejects_them_when_set()
    {
        var delegate_ = Canary(c =>
        {
            c.Spec.Service!.Delegation = true;
            c.Spec.Service.PortDiscovery = true;
        });

        await IstioRouter(_kube).ReconcileAsync(delegate_, Ct);

        AssertJson("""
            {"hosts":[],
             "http":[{"route":[{"destination":{"host":"podinfo-primary","port":{"number":9898}},"weight":100},
                               {"destination":{"host":"podinfo-canary","port":{"number":9898}},"weight":0}]}]}
            """, Vs.Spec);

        var invalid = Canary(c =>
        {
            c.Spec.Service!.Delegation = true;
            c.Spec.Service.Hosts = ["app.example.com"];
        });
        var error = await Assert.ThrowsAsync<RoutingException>(() => IstioRouter(new InMemoryKube()).ReconcileAsync(invalid, Ct));
        Assert.StartsWith("VirtualService podinfo.test cannot have hosts and gateways when delegation enabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_reconcile_writes_nothing_even_after_weights_moved()
    {
        var router = IstioRouter(_kube);
        var canary = Canary();
        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);
        _kube.Writes.Clear();

        await router.ReconcileAsync(canary, Ct);

        Assert.Empty(_kube.Writes);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task SetRoutes_writes_only_the_virtual_service_and_GetRoutes_reads_it_back()
    {
        var router = IstioRouter(_kube);
        var canary = Canary();
        await router.ReconcileAsync(canary, Ct);
        _kube.Writes.Clear();

        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), SessionAffinityCookies.None, Ct);

        Assert.Equal([("update", "VirtualService", "test", "podinfo")], _kube.Writes);
        AssertJson("""
            [{"route":[{"destination":{"host":"podinfo-primary"},"weight":90},{"destination":{"host":"podinfo-canary"},"weight":10}]}]
            """, Vs.Spec.Http);
        Assert.Equal(new TrafficSplit(90, 10, false), await router.GetRoutesAsync(canary, Ct));

        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), SessionAffinityCookies.None, Ct);
        Assert.Single(_kube.Writes);
    }

    [Fact]
    public async Task A_spec_change_mid_analysis_reshapes_the_routes_but_keeps_the_live_weights()
    {
        var router = IstioRouter(_kube);
        await router.ReconcileAsync(Canary(), Ct);
        await router.SetRoutesAsync(Canary(), new TrafficSplit(60, 40, false), SessionAffinityCookies.None, Ct);
        _kube.Writes.Clear();

        await router.ReconcileAsync(Canary(c => c.Spec.Service!.Timeout = "5s"), Ct);

        Assert.Equal([("update", "VirtualService", "test", "podinfo")], _kube.Writes);
        AssertJson("""
            [{"timeout":"5s","route":[{"destination":{"host":"podinfo-primary"},"weight":60},{"destination":{"host":"podinfo-canary"},"weight":40}]}]
            """, Vs.Spec.Http);
    }

    [Fact]
    public async Task A_changed_traffic_policy_updates_both_destination_rules_only()
    {
        var router = IstioRouter(_kube);
        await router.ReconcileAsync(Canary(), Ct);
        _kube.Writes.Clear();

        await router.ReconcileAsync(Canary(c => c.Spec.Service!.TrafficPolicy = new TrafficPolicy { LoadBalancer = new LoadBalancerSettings { Simple = "LEAST_REQUEST" } }), Ct);

        Assert.Equal([("update", "DestinationRule", "test", "podinfo-canary"), ("update", "DestinationRule", "test", "podinfo-primary")], _kube.Writes);
        AssertJson("""{"host":"podinfo-canary","trafficPolicy":{"loadBalancer":{"simple":"LEAST_REQUEST"}}}""", _kube.Get<DestinationRule>("test", "podinfo-canary")!.Spec);
    }

    [Fact]
    public async Task Tcp_services_get_tcp_routes_with_port_matches()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c =>
        {
            c.Spec.Service!.AppProtocol = "TCP";
            c.Spec.Service.Match = [new HttpMatchRequest { Port = 9898 }];
        });

        await router.ReconcileAsync(canary, Ct);

        AssertJson("""
            {"hosts":["podinfo"],"gateways":["mesh"],
             "tcp":[{"match":[{"port":9898}],"route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]}]}
            """, Vs.Spec);

        await router.SetRoutesAsync(canary, new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);

        AssertJson("""
            [{"match":[{"port":9898}],"route":[{"destination":{"host":"podinfo-primary"},"weight":80},{"destination":{"host":"podinfo-canary"},"weight":20}]}]
            """, Vs.Spec.Tcp);
        Assert.Equal(new TrafficSplit(80, 20, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task AB_testing_merges_analysis_match_into_service_match_and_keeps_a_primary_only_fallback()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c =>
        {
            c.Spec.Analysis = new CanaryAnalysis
            {
                Interval = "1m",
                Threshold = 5,
                Iterations = 10,
                Match =
                [
                    new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } },
                    new HttpMatchRequest { Headers = new() { ["cookie"] = new StringMatch { Regex = "^(.*?;)?(canary=always)(;.*)?$" } }, Method = new StringMatch { Exact = "GET" } },
                ],
            };
            c.Spec.Service!.Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/api" } }];
        });

        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        AssertJson("""
            [{"match":[{"uri":{"prefix":"/api"},"headers":{"x-canary":{"exact":"insider"}}},
                       {"uri":{"prefix":"/api"},"headers":{"cookie":{"regex":"^(.*?;)?(canary=always)(;.*)?$"}}}],
              "route":[{"destination":{"host":"podinfo-primary"},"weight":0},{"destination":{"host":"podinfo-canary"},"weight":100}]},
             {"match":[{"uri":{"prefix":"/api"}}],
              "route":[{"destination":{"host":"podinfo-primary"},"weight":0}]}]
            """, Vs.Spec.Http);
        Assert.Equal(TrafficSplit.AllCanary, await router.GetRoutesAsync(canary, Ct));
        _kube.Writes.Clear();
        await router.ReconcileAsync(canary, Ct);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task AB_testing_without_a_service_match_uses_the_analysis_match_unchanged()
    {
        var canary = Canary(c => c.Spec.Analysis!.Match =
            [new HttpMatchRequest { Headers = new() { ["x-user"] = new StringMatch { Exact = "insider" } }, Method = new StringMatch { Exact = "GET" } }]);

        await IstioRouter(_kube).ReconcileAsync(canary, Ct);

        AssertJson("""
            [{"match":[{"headers":{"x-user":{"exact":"insider"}},"method":{"exact":"GET"}}],
              "route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]},
             {"route":[{"destination":{"host":"podinfo-primary"},"weight":100}]}]
            """, Vs.Spec.Http);
    }

    [Fact]
    public async Task Mirroring_adds_the_canary_mirror_with_the_mirror_percentage_and_is_reported_by_GetRoutes()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c =>
        {
            c.Spec.Analysis!.Mirror = true;
            c.Spec.Analysis.MirrorWeight = 50;
        });
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(100, 0, true), SessionAffinityCookies.None, Ct);

        AssertJson("""
            [{"route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}],
              "mirror":{"host":"podinfo-canary"},"mirrorPercentage":{"value":50}}]
            """, Vs.Spec.Http);
        Assert.Equal(new TrafficSplit(100, 0, true), await router.GetRoutesAsync(canary, Ct));
        _kube.Writes.Clear();
        await router.ReconcileAsync(canary, Ct);
        Assert.Empty(_kube.Writes);

        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), SessionAffinityCookies.None, Ct);
        Assert.Null(Vs.Spec.Http![0].Mirror);
    }

    [Fact]
    public async Task Session_affinity_adds_sticky_cookie_rules_while_the_canary_has_traffic()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity
        {
            CookieName = "flagger-cookie",
            PrimaryCookieName = "primary-cookie",
            MaxAge = 7200,
            Path = "/",
            HttpOnly = true,
            SameSite = "Strict",
        });
        await router.ReconcileAsync(canary, Ct);
        var values = new Queue<string>(["AbCdEfGhIj", "KlMnOpQrSt"]);
        var cookies = SessionAffinityCookies.ForStep(canary.Spec.Analysis!.SessionAffinity, SessionAffinityCookies.FromStatus(canary.Status), 10, values.Dequeue);
        _kube.Writes.Clear();

        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), cookies, Ct);

        Assert.Equal(new SessionAffinityCookies("flagger-cookie=AbCdEfGhIj", "primary-cookie=KlMnOpQrSt", null), cookies);
        AssertJson("""
            [{"match":[{"headers":{"Cookie":{"regex":".*flagger-cookie.*AbCdEfGhIj.*"}}}],
              "route":[{"destination":{"host":"podinfo-primary"},"weight":0},{"destination":{"host":"podinfo-canary"},"weight":100}]},
             {"match":[{"headers":{"Cookie":{"regex":".*primary-cookie.*KlMnOpQrSt.*"}}}],
              "route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]},
             {"route":[
               {"destination":{"host":"podinfo-primary"},"weight":90,
                "headers":{"response":{"add":{"Set-Cookie":"primary-cookie=KlMnOpQrSt; Max-Age=60; HttpOnly; Path=/; SameSite=Strict"}}}},
               {"destination":{"host":"podinfo-canary"},"weight":10,
                "headers":{"response":{"add":{"Set-Cookie":"flagger-cookie=AbCdEfGhIj; Max-Age=7200; HttpOnly; Path=/; SameSite=Strict"}}}}]}]
            """, Vs.Spec.Http);
        Assert.Equal([("update", "VirtualService", "test", "podinfo")], _kube.Writes);
        Assert.Equal(new TrafficSplit(90, 10, false), await router.GetRoutesAsync(canary, Ct));

        // The reconciler persisted the cookies: a reconcile keeps the sticky rules and writes nothing.
        canary.Status = new CanaryStatus();
        cookies.ApplyTo(canary.Status);
        _kube.Writes.Clear();
        await router.ReconcileAsync(canary, Ct);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task Session_affinity_expires_the_previous_cookie_when_the_canary_has_no_traffic()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c =>
        {
            c.Spec.Service!.Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/" } }];
            c.Spec.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" };
            c.Status = new CanaryStatus { SessionAffinityCookie = "flagger-cookie=AbCdEfGhIj" };
        });
        await router.ReconcileAsync(canary, Ct);
        var cookies = SessionAffinityCookies.ForStep(canary.Spec.Analysis!.SessionAffinity, SessionAffinityCookies.FromStatus(canary.Status), 0, () => "unused");

        await router.SetRoutesAsync(canary, TrafficSplit.AllPrimary, cookies, Ct);

        Assert.Equal(new SessionAffinityCookies(null, null, "flagger-cookie=AbCdEfGhIj"), cookies);
        AssertJson("""
            [{"match":[{"uri":{"prefix":"/"},"headers":{"Cookie":{"regex":".*flagger-cookie.*AbCdEfGhIj.*"}}}],
              "route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}],
              "headers":{"response":{"add":{"Set-Cookie":"flagger-cookie=AbCdEfGhIj; Max-Age=-1"}}}},
             {"match":[{"uri":{"prefix":"/"}}],
              "route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]}]
            """, Vs.Spec.Http);
        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task The_canary_cookie_carries_every_configured_attribute_in_upstreams_order()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity
        {
            CookieName = "flagger-cookie",
            Domain = "flagger.app",
            HttpOnly = true,
            MaxAge = 300,
            Partitioned = true,
            Path = "/app",
            SameSite = "Strict",
            Secure = true,
        });
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), new SessionAffinityCookies("flagger-cookie=AbCdEfGhIj", null, null), Ct);

        Assert.Equal(2, Vs.Spec.Http!.Count);
        Assert.Null(Vs.Spec.Http[1].Route![0].Headers);
        Assert.Equal("flagger-cookie=AbCdEfGhIj; Max-Age=300; Domain=flagger.app; HttpOnly; Partitioned; Path=/app; SameSite=Strict; Secure",
            Vs.Spec.Http[1].Route![1].Headers!.Response!.Add!["Set-Cookie"]);
    }

    [Fact]
    public async Task Session_affinity_without_any_cookie_yet_routes_by_weight_only()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" });

        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, TrafficSplit.AllPrimary, SessionAffinityCookies.None, Ct);

        AssertJson("""
            [{"route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]}]
            """, Vs.Spec.Http);
    }

    [Fact]
    public async Task Session_affinity_without_decided_cookies_is_a_clear_error_not_a_silent_route()
    {
        var router = IstioRouter(_kube);
        var canary = Canary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" });
        await router.ReconcileAsync(canary, Ct);
        _kube.Writes.Clear();

        var error = await Assert.ThrowsAsync<RoutingException>(() => router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), SessionAffinityCookies.None, Ct));

        Assert.Contains("SessionAffinityCookies.ForStep", error.Message, StringComparison.Ordinal);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task A_users_virtual_service_is_taken_over_and_restored_losslessly_on_finalize()
    {
        const string userSpec = """
            {"hosts":["podinfo.example.com"],"gateways":["public-gateway"],"exportTo":["."],
             "http":[{"name":"main","retries":{"attempts":5,"perTryTimeout":"2s"},"fault":{"delay":{"fixedDelay":"1s"}},
                      "route":[{"destination":{"host":"podinfo","subset":"v1"}}]}]}
            """;
        _kube.Seed(new VirtualService
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<VirtualServiceSpec>(userSpec),
        });
        var router = IstioRouter(_kube);
        var canary = Canary(c =>
        {
            c.Spec.Service!.Hosts = ["podinfo.example.com"];
            c.Spec.Service.Gateways = ["public-gateway"];
        });

        await router.ReconcileAsync(canary, Ct);

        AssertJson("""
            {"hosts":["podinfo.example.com","podinfo"],"gateways":["public-gateway"],"exportTo":["."],
             "http":[{"route":[{"destination":{"host":"podinfo-primary"},"weight":100},{"destination":{"host":"podinfo-canary"},"weight":0}]}]}
            """, Vs.Spec);
        Assert.Null(Vs.Metadata.OwnerReferences);
        AssertJson(userSpec, KubernetesJson.Deserialize<object>(Vs.Metadata.Annotations["flagger.kubernetes.io/original-configuration"]));

        // A later change of the canary keeps the user's original, not Flagger's intermediate spec.
        await router.ReconcileAsync(Canary(c =>
        {
            c.Spec.Service!.Hosts = ["podinfo.example.com"];
            c.Spec.Service.Gateways = ["public-gateway"];
            c.Spec.Service.Timeout = "10s";
        }), Ct);
        AssertJson(userSpec, KubernetesJson.Deserialize<object>(Vs.Metadata.Annotations["flagger.kubernetes.io/original-configuration"]));

        await router.FinalizeAsync(canary, Ct);

        AssertJson(userSpec, Vs.Spec);
    }

    [Fact]
    public async Task Finalize_prefers_kubectls_last_applied_configuration_and_reconcile_keeps_that_annotation()
    {
        const string lastApplied = """
            {"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService","metadata":{"name":"podinfo","namespace":"test"},
             "spec":{"hosts":["podinfo"],"http":[{"route":[{"destination":{"host":"podinfo"}}]}]}}
            """;
        _kube.Seed(new VirtualService
        {
            Metadata = new V1ObjectMeta
            {
                Name = "podinfo",
                NamespaceProperty = "test",
                Annotations = new Dictionary<string, string> { ["kubectl.kubernetes.io/last-applied-configuration"] = lastApplied },
            },
            Spec = KubernetesJson.Deserialize<VirtualService>(lastApplied).Spec,
        });
        var router = IstioRouter(_kube);

        await router.ReconcileAsync(Canary(), Ct);

        Assert.Equal(lastApplied, Vs.Metadata.Annotations["kubectl.kubernetes.io/last-applied-configuration"]);
        Assert.False(Vs.Metadata.Annotations.ContainsKey("flagger.kubernetes.io/original-configuration"));

        await router.FinalizeAsync(Canary(), Ct);

        AssertJson("""{"hosts":["podinfo"],"http":[{"route":[{"destination":{"host":"podinfo"}}]}]}""", Vs.Spec);
    }

    [Fact]
    public async Task Finalize_of_a_virtual_service_flagger_created_changes_nothing()
    {
        var router = IstioRouter(_kube);
        await router.ReconcileAsync(Canary(), Ct);
        _kube.Writes.Clear();

        await router.FinalizeAsync(Canary(), Ct);

        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task GetRoutes_is_a_clear_error_when_the_virtual_service_is_missing_or_lacks_the_routes()
    {
        var router = IstioRouter(_kube);
        var missing = await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(Canary(), Ct));
        Assert.Equal("VirtualService podinfo.test get query error: not found", missing.Message);

        _kube.Seed(new VirtualService
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new VirtualServiceSpec { Hosts = ["podinfo"], Http = [new IstioHttpRoute { Route = [new IstioRouteDestination { Destination = new IstioDestination { Host = "podinfo" }, Weight = 100 }] }] },
        });
        var noRoutes = await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(Canary(), Ct));
        Assert.Equal("VirtualService podinfo.test does not contain routes for podinfo-primary and podinfo-canary", noRoutes.Message);
    }

    [Fact]
    public async Task SetRoutes_before_reconcile_and_out_of_range_weights_are_clear_errors()
    {
        var router = IstioRouter(_kube);
        var missing = await Assert.ThrowsAsync<RoutingException>(() => router.SetRoutesAsync(Canary(), TrafficSplit.AllPrimary, SessionAffinityCookies.None, Ct));
        Assert.Contains("VirtualService podinfo.test not found", missing.Message, StringComparison.Ordinal);

        await router.ReconcileAsync(Canary(), Ct);
        var range = await Assert.ThrowsAsync<RoutingException>(() => router.SetRoutesAsync(Canary(), new TrafficSplit(120, -20, false), SessionAffinityCookies.None, Ct));
        Assert.Contains("between 0 and 100", range.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_owner_references_router_objects_carry_none()
    {
        await IstioRouter(_kube, ownerRefs: false).ReconcileAsync(Canary(), Ct);

        Assert.Null(Vs.Metadata.OwnerReferences);
        Assert.Null(_kube.Get<DestinationRule>("test", "podinfo-canary")!.Metadata.OwnerReferences);
    }
}
