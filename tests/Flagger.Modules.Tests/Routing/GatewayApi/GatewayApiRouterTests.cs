using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.GatewayApi;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.GatewayApi;

/// <summary>Routers and fixtures shared by the two Gateway API router test classes.</summary>
internal static class GatewayApiTestKit
{
    public const string FluxAnnotations = """
        "kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"
        """;

    public const string PrimaryBackend = """{"group":"","kind":"Service","name":"podinfo-primary","port":9898""";
    public const string CanaryBackend = """{"group":"","kind":"Service","name":"podinfo-canary","port":9898""";
    public const string AllPaths = """[{"path":{"type":"PathPrefix","value":"/"}}]""";

    public static GatewayApiRouter V1(InMemoryKube kube) =>
        new(Store(kube), Objects(kube), NullLogger<GatewayApiRouter>.Instance);

    public static GatewayApiV1Beta1Router V1Beta1(InMemoryKube kube) =>
        new(Store(kube), Objects(kube), NullLogger<GatewayApiV1Beta1Router>.Instance);

    public static void Gateway(Canary canary) =>
        canary.Spec.Service!.GatewayRefs = [new GatewayParentReference { Name = "gateway", Namespace = "istio-ingress" }];

    private static RouterObjects Objects(InMemoryKube kube) =>
        new(Store(kube), Options.Create(new RoutingOptions { SetOwnerReferences = true }));

    public static Canary FromYaml(string service, string analysis = "", string provider = "gatewayapi:v1") => CanaryFromYaml($"""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: test
          uid: 6b1c5c9e-0000-4000-8000-000000000001
        spec:
          provider: {provider}
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo
          service:
            port: 9898
            gatewayRefs:
            - name: gateway
              namespace: istio-ingress
        {service}
          analysis:
            interval: 1m
            threshold: 5
            maxWeight: 50
            stepWeight: 10
        {analysis}
        """);
}

public sealed class GatewayApiRouterTests : TrafficRouterContract
{
    private readonly InMemoryKube _kube = new();

    private HttpRoute Route => _kube.Get<HttpRoute>("test", "podinfo")!;

    protected override string Provider => "gatewayapi:v1";

    protected override void ConfigureContractCanary(Canary canary) => GatewayApiTestKit.Gateway(canary);

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => GatewayApiTestKit.V1(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new HttpRoute
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<HttpRouteSpec>("""
                {"parentRefs":[{"name":"gateway","namespace":"istio-ingress"}],"hostnames":["app.example.com"],
                 "rules":[{"backendRefs":[{"name":"podinfo","port":9898}]}]}
                """),
        });
        return () => Json(kube.Get<HttpRoute>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Reconcile_creates_the_http_route_attached_to_the_gateway_refs_with_all_traffic_on_the_primary()
    {
        var canary = Canary(c =>
        {
            c.Spec.Provider = Provider;
            GatewayApiTestKit.Gateway(c);
            c.Spec.Service!.Hosts = ["www.example.com"];
            c.Spec.Service.Apex = new CustomMetadata { Labels = new() { ["l"] = "1" }, Annotations = new() { ["a"] = "2" } };
        });

        await GatewayApiTestKit.V1(_kube).ReconcileAsync(canary, Ct);

        Assert.Equal([("create", nameof(HttpRoute), "test", "podinfo")], _kube.Writes);
        Assert.Equal("gateway.networking.k8s.io/v1", Route.ApiVersion);
        AssertJson($$$"""
            {"parentRefs":[{"name":"gateway","namespace":"istio-ingress"}],"hostnames":["www.example.com"],
             "rules":[{"matches":{{{GatewayApiTestKit.AllPaths}}},
                       "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":100},{{{GatewayApiTestKit.CanaryBackend}}},"weight":0}]}]}
            """, Route.Spec);
        AssertJson("""{"l":"1"}""", Route.Metadata.Labels);
        AssertJson($$$"""{"a":"2",{{{GatewayApiTestKit.FluxAnnotations}}}}""", Route.Metadata.Annotations);
        AssertJson(OwnerRefJson, Route.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Reconcile_maps_matches_headers_rewrite_mirrors_cors_and_timeouts_in_upstreams_filter_order()
    {
        var canary = GatewayApiTestKit.FromYaml("""
                timeout: 30s
                backendTimeout: 10s
                match:
                - uri: {prefix: /api}
                  method: {exact: GET}
                  headers:
                    x-user: {exact: alice}
                    user-agent: {regex: ".*Firefox.*"}
                  queryParams:
                    debug: {exact: "1"}
                headers:
                  request:
                    add: {x-b: "2", x-a: "1"}
                    set: {x-s: v}
                    remove: [x-r]
                  response:
                    remove: [server]
                rewrite: {uri: /v2, authority: backend.example.com, type: ReplacePrefixMatch}
                mirror:
                - backendRef: {name: shadow, port: 8080}
                corsPolicy:
                  allowOrigin: [https://example.com]
                  allowMethods: [GET, POST]
                  allowHeaders: [x-h]
                  exposeHeaders: [x-e]
                  allowCredentials: true
                  maxAge: 24h
            """);

        await GatewayApiTestKit.V1(_kube).ReconcileAsync(canary, Ct);

        AssertJson($$$"""
            {"parentRefs":[{"name":"gateway","namespace":"istio-ingress"}],
             "rules":[{
               "matches":[{"path":{"type":"PathPrefix","value":"/api"},"method":"GET",
                           "headers":[{"type":"RegularExpression","name":"user-agent","value":".*Firefox.*"},{"type":"Exact","name":"x-user","value":"alice"}],
                           "queryParams":[{"type":"Exact","name":"debug","value":"1"}]}],
               "filters":[
                 {"type":"RequestHeaderModifier","requestHeaderModifier":{"set":[{"name":"x-s","value":"v"}],"add":[{"name":"x-a","value":"1"},{"name":"x-b","value":"2"}],"remove":["x-r"]}},
                 {"type":"ResponseHeaderModifier","responseHeaderModifier":{"remove":["server"]}},
                 {"type":"URLRewrite","urlRewrite":{"hostname":"backend.example.com","path":{"type":"ReplacePrefixMatch","replacePrefixMatch":"/v2"} } },
                 {"type":"RequestMirror","requestMirror":{"backendRef":{"name":"shadow","port":8080} } },
                 {"type":"CORS","cors":{"allowOrigins":["https://example.com"],"allowCredentials":true,"allowMethods":["GET","POST"],"allowHeaders":["x-h"],"exposeHeaders":["x-e"],"maxAge":86400} }],
               "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":100},{{{GatewayApiTestKit.CanaryBackend}}},"weight":0}],
               "timeouts":{"request":"30s","backendRequest":"10s"}}]}
            """, Route.Spec);
    }

    [Fact]
    public async Task A_rewrite_without_a_type_replaces_the_full_path()
    {
        var canary = GatewayApiTestKit.FromYaml("""
                rewrite: {uri: /v2}
            """);

        await GatewayApiTestKit.V1(_kube).ReconcileAsync(canary, Ct);

        AssertJson("""[{"type":"URLRewrite","urlRewrite":{"path":{"type":"ReplaceFullPath","replaceFullPath":"/v2"}}}]""", Route.Spec.Rules![0].Filters);
    }

    [Fact]
    public async Task Missing_gateway_refs_are_upstreams_error_and_nothing_is_written()
    {
        var canary = Canary(c => c.Spec.Provider = Provider);

        var error = await Assert.ThrowsAsync<RoutingException>(() => GatewayApiTestKit.V1(_kube).ReconcileAsync(canary, Ct));

        Assert.Equal("GatewayRefs must be specified when using Gateway API as a provider.", error.Message);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task An_unsupported_uri_match_names_the_selector()
    {
        var canary = GatewayApiTestKit.FromYaml("""
                match:
                - uri: {suffix: .png}
            """);

        var error = await Assert.ThrowsAsync<RoutingException>(() => GatewayApiTestKit.V1(_kube).ReconcileAsync(canary, Ct));

        Assert.StartsWith("Invalid request matching selectors: Gateway API doesn't support the specified path matching selector", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AB_testing_splits_matching_requests_and_sends_the_rest_to_the_primary_alone()
    {
        var canary = GatewayApiTestKit.FromYaml("", """
                iterations: 10
                match:
                - headers:
                    x-canary: {exact: insider}
                - queryParams:
                    canary: {regex: "^(yes|true)$"}
            """);
        var router = GatewayApiTestKit.V1(_kube);
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        AssertJson($$$"""
            [{"matches":[{"path":{"type":"PathPrefix","value":"/"},"headers":[{"type":"Exact","name":"x-canary","value":"insider"}]},
                         {"path":{"type":"PathPrefix","value":"/"},"queryParams":[{"type":"RegularExpression","name":"canary","value":"^(yes|true)$"}]}],
              "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":0},{{{GatewayApiTestKit.CanaryBackend}}},"weight":100}]},
             {"matches":{{{GatewayApiTestKit.AllPaths}}},"backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":100}]}]
            """, Route.Spec.Rules);
        Assert.Equal(TrafficSplit.AllCanary, await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task Blue_green_mirroring_adds_a_request_mirror_to_the_canary_only_with_iterations()
    {
        var router = GatewayApiTestKit.V1(_kube);
        var blueGreen = ContractCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Mirror = true;
        });
        await router.ReconcileAsync(blueGreen, Ct);

        await router.SetRoutesAsync(blueGreen, new TrafficSplit(100, 0, Mirrored: true), SessionAffinityCookies.None, Ct);

        AssertJson("""[{"type":"RequestMirror","requestMirror":{"backendRef":""" + GatewayApiTestKit.CanaryBackend + "}}}]", Route.Spec.Rules![0].Filters);
        Assert.Equal(new TrafficSplit(100, 0, true), await router.GetRoutesAsync(blueGreen, Ct));

        // upstream mirrors only in blue/green runs (iterations > 0).
        var canary = ContractCanary(c => c.Spec.Analysis!.Mirror = true);
        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, Mirrored: true), SessionAffinityCookies.None, Ct);
        Assert.Null(Route.Spec.Rules![0].Filters);
    }

    [Fact]
    public async Task Session_affinity_with_a_primary_cookie_renders_sticky_rules_and_cookie_setting_backends()
    {
        var canary = GatewayApiTestKit.FromYaml("", """
                sessionAffinity:
                  cookieName: canary-cookie
                  primaryCookieName: primary-cookie
                  maxAge: 600
                  path: /
                  secure: true
            """);
        var router = GatewayApiTestKit.V1(_kube);
        await router.ReconcileAsync(canary, Ct);
        var cookies = new SessionAffinityCookies("canary-cookie=abcdefghij", "primary-cookie=klmnopqrst", null);

        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), cookies, Ct);

        AssertJson($$$"""
            [{"matches":[{"headers":[{"type":"RegularExpression","name":"Cookie","value":".*canary-cookie.*abcdefghij.*"}]}],
              "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":0},{{{GatewayApiTestKit.CanaryBackend}}},"weight":100}]},
             {"matches":[{"headers":[{"type":"RegularExpression","name":"Cookie","value":".*primary-cookie.*klmnopqrst.*"}]}],
              "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":100},{{{GatewayApiTestKit.CanaryBackend}}},"weight":0}]},
             {"matches":{{{GatewayApiTestKit.AllPaths}}},
              "backendRefs":[
                {{{GatewayApiTestKit.PrimaryBackend}}},"weight":90,"filters":[{"type":"ResponseHeaderModifier","responseHeaderModifier":{"add":[{"name":"Set-Cookie","value":"primary-cookie=klmnopqrst; Max-Age=60; Path=/; Secure"}]}}]},
                {{{GatewayApiTestKit.CanaryBackend}}},"weight":10,"filters":[{"type":"ResponseHeaderModifier","responseHeaderModifier":{"add":[{"name":"Set-Cookie","value":"canary-cookie=abcdefghij; Max-Age=600; Path=/; Secure"}]}}]}]}]
            """, Route.Spec.Rules);
        Assert.Equal(new TrafficSplit(90, 10, false), await router.GetRoutesAsync(canary, Ct));

        // A reconcile mid-run keeps the cookie rules (they are SetRoutes' state).
        canary.Status = new CanaryStatus { SessionAffinityCookie = cookies.Current, PrimarySessionAffinityCookie = cookies.Primary };
        var writes = _kube.Writes.Count;
        await router.ReconcileAsync(canary, Ct);
        Assert.Equal(writes, _kube.Writes.Count);

        // After promotion the previous cookie is expired for requests still carrying it.
        var after = SessionAffinityCookies.ForStep(canary.Spec.Analysis!.SessionAffinity, cookies, 0, () => "unused");
        await router.SetRoutesAsync(canary, TrafficSplit.AllPrimary, after, Ct);
        AssertJson($$$"""
            [{"matches":[{"headers":[{"type":"RegularExpression","name":"Cookie","value":".*canary-cookie.*abcdefghij.*"}]}],
              "filters":[{"type":"ResponseHeaderModifier","responseHeaderModifier":{"add":[{"name":"Set-Cookie","value":"canary-cookie=abcdefghij; Max-Age=-1"}]}}],
              "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":100},{{{GatewayApiTestKit.CanaryBackend}}},"weight":0}]},
             {"matches":{{{GatewayApiTestKit.AllPaths}}},
              "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":100},{{{GatewayApiTestKit.CanaryBackend}}},"weight":0}]}]
            """, Route.Spec.Rules);
        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task GetRoutes_fails_while_a_parent_has_not_accepted_the_route_or_has_not_seen_its_generation()
    {
        var canary = ContractCanary();
        var router = GatewayApiTestKit.V1(_kube);
        await router.ReconcileAsync(canary, Ct);
        var route = Route;
        route.Metadata.Generation = 2;
        // The status parentRef carries the API server's defaults; the spec's does not: they are the same parent.
        route.Status = Status("False", observedGeneration: 2);

        var refused = await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(canary, Ct));
        Assert.Equal("HTTPRoute podinfo.test parent gateway is not ready (status: False, observed generation: 2, current generation: 2)", refused.Message);

        route.Status = Status("True", observedGeneration: 1);
        var stale = await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(canary, Ct));
        Assert.Equal("HTTPRoute podinfo.test parent gateway is not ready (status: True, observed generation: 1, current generation: 2)", stale.Message);

        route.Status = Status("True", observedGeneration: 2);
        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));

        // A parent the route does not name does not hold it back.
        route.Status = Status("False", observedGeneration: 2, name: "other");
        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));

        static HttpRouteStatus Status(string accepted, long observedGeneration, string name = "gateway") => new()
        {
            Parents =
            [
                new RouteParentStatus
                {
                    ParentRef = new ParentReference { Group = "gateway.networking.k8s.io", Kind = "Gateway", Name = name, Namespace = "istio-ingress" },
                    ControllerName = "istio.io/gateway-controller",
                    Conditions =
                    [
                        new RouteCondition { Type = "Accepted", Status = accepted, ObservedGeneration = observedGeneration, Reason = "Accepted" },
                        new RouteCondition { Type = "ResolvedRefs", Status = "True", ObservedGeneration = observedGeneration, Reason = "ResolvedRefs" },
                    ],
                },
            ],
        };
    }

    [Fact]
    public async Task A_GAMMA_route_attaches_to_the_apex_service_itself()
    {
        var canary = GatewayApiTestKit.FromYaml("", provider: "gatewayapi:v1").Also(c =>
            c.Spec.Service!.GatewayRefs = [new GatewayParentReference { Group = "core", Kind = "Service", Name = "podinfo", Port = 9898 }]);
        var router = GatewayApiTestKit.V1(_kube);
        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);

        AssertJson("""[{"group":"core","kind":"Service","name":"podinfo","port":9898}]""", Route.Spec.ParentRefs);
        Route.Status = new HttpRouteStatus
        {
            Parents = [new RouteParentStatus
            {
                ParentRef = new ParentReference { Group = "core", Kind = "Service", Name = "podinfo", Port = 9898 },
                Conditions = [new RouteCondition { Type = "Accepted", Status = "False", ObservedGeneration = 1 }],
            }],
        };
        await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(canary, Ct));
        Route.Status!.Parents![0].Conditions![0].Status = "True";
        Assert.Equal(new TrafficSplit(80, 20, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task Reconcile_keeps_live_weights_other_controllers_annotations_and_ignores_api_server_defaults()
    {
        var canary = ContractCanary();
        var router = GatewayApiTestKit.V1(_kube);
        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);
        // What the API server stores: defaults filled in, and an annotation another controller added.
        var stored = Route;
        stored.Spec.ParentRefs![0].Group = "gateway.networking.k8s.io";
        stored.Spec.ParentRefs[0].Kind = "Gateway";
        stored.Metadata.Annotations!["application-networking.k8s.aws/lattice-assigned-domain-name"] = "x";
        var writes = _kube.Writes.Count;

        await router.ReconcileAsync(canary, Ct);
        Assert.Equal(writes, _kube.Writes.Count);

        canary.Spec.Service!.Hosts = ["app.example.com"];
        await router.ReconcileAsync(canary, Ct);

        Assert.Equal(writes + 1, _kube.Writes.Count);
        Assert.Equal(["app.example.com"], Route.Spec.Hostnames);
        Assert.Equal("x", Route.Metadata.Annotations!["application-networking.k8s.aws/lattice-assigned-domain-name"]);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(canary, Ct));
    }
}

/// <summary>What the catalog rows of the Gateway API providers make the validator say.</summary>
public sealed class GatewayApiCatalogTests
{
    [Theory]
    [InlineData("gatewayapi:v1")]
    [InlineData("gatewayapi:v1beta1")]
    public void Gateway_refs_are_required_and_cookie_AB_testing_session_affinity_and_blue_green_mirroring_are_accepted(string provider)
    {
        var missing = GatewayApiTestKit.FromYaml("", provider: provider);
        missing.Spec.Service!.GatewayRefs = null;
        Assert.Contains(CanaryValidator.Validate(missing), e => e.ToString().StartsWith("spec.service.gatewayRefs: required by provider " + provider, StringComparison.Ordinal));

        var cookieAb = GatewayApiTestKit.FromYaml("", """
                iterations: 5
                match:
                - headers:
                    cookie: {regex: "^(.*?;)?(type=insider)(;.*)?$"}
            """, provider).Also(BlueGreen);
        Assert.Empty(CanaryValidator.Validate(cookieAb));
        var mirror = GatewayApiTestKit.FromYaml("", """
                iterations: 5
                mirror: true
            """, provider).Also(BlueGreen);
        Assert.Empty(CanaryValidator.Validate(mirror));
        var affinity = GatewayApiTestKit.FromYaml("", """
                sessionAffinity:
                  cookieName: flagger-cookie
            """, provider);
        Assert.Empty(CanaryValidator.Validate(affinity));
    }

    private static void BlueGreen(Canary canary)
    {
        canary.Spec.Analysis!.StepWeight = null;
        canary.Spec.Analysis.MaxWeight = null;
    }

    [Fact]
    public async Task A_cookie_match_becomes_a_regular_expression_match_on_the_cookie_header()
    {
        var kube = new InMemoryKube();
        var canary = GatewayApiTestKit.FromYaml("", """
                iterations: 5
                match:
                - headers:
                    cookie: {regex: "^(.*?;)?(type=insider)(;.*)?$"}
            """);
        var router = GatewayApiTestKit.V1(kube);
        await router.ReconcileAsync(canary, TestContext.Current.CancellationToken);

        AssertJson("""[{"path":{"type":"PathPrefix","value":"/"},"headers":[{"type":"RegularExpression","name":"cookie","value":"^(.*?;)?(type=insider)(;.*)?$"}]}]""",
            kube.Get<HttpRoute>("test", "podinfo")!.Spec.Rules![0].Matches);
    }
}

public sealed class GatewayApiV1Beta1RouterTests : TrafficRouterContract
{
    private readonly InMemoryKube _kube = new();

    private HttpRouteV1Beta1 Route => _kube.Get<HttpRouteV1Beta1>("test", "podinfo")!;

    protected override string Provider => "gatewayapi:v1beta1";

    protected override void ConfigureContractCanary(Canary canary) => GatewayApiTestKit.Gateway(canary);

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => GatewayApiTestKit.V1Beta1(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new HttpRouteV1Beta1
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<HttpRouteSpec>("""
                {"parentRefs":[{"name":"gateway","namespace":"istio-ingress"}],"rules":[{"backendRefs":[{"name":"podinfo","port":9898}]}]}
                """),
        });
        return () => Json(kube.Get<HttpRouteV1Beta1>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task V1beta1_has_no_cors_filter_and_no_timeouts()
    {
        var canary = GatewayApiTestKit.FromYaml("""
                timeout: 30s
                corsPolicy:
                  allowOrigin: [https://example.com]
                headers:
                  response:
                    set: {x-v: "1"}
            """, provider: Provider);

        await GatewayApiTestKit.V1Beta1(_kube).ReconcileAsync(canary, Ct);

        Assert.Equal("gateway.networking.k8s.io/v1beta1", Route.ApiVersion);
        AssertJson($$$"""
            {"parentRefs":[{"name":"gateway","namespace":"istio-ingress"}],
             "rules":[{"matches":{{{GatewayApiTestKit.AllPaths}}},
                       "filters":[{"type":"ResponseHeaderModifier","responseHeaderModifier":{"set":[{"name":"x-v","value":"1"}]}}],
                       "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":100},{{{GatewayApiTestKit.CanaryBackend}}},"weight":0}]}]}
            """, Route.Spec);
    }

    [Fact]
    public async Task V1beta1_session_affinity_has_no_primary_cookie_rule()
    {
        var canary = GatewayApiTestKit.FromYaml("", """
                sessionAffinity:
                  cookieName: canary-cookie
                  primaryCookieName: primary-cookie
            """, provider: Provider);
        var router = GatewayApiTestKit.V1Beta1(_kube);
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), new SessionAffinityCookies("canary-cookie=abcdefghij", "primary-cookie=klmnopqrst", null), Ct);

        AssertJson($$$"""
            [{"matches":[{"headers":[{"type":"RegularExpression","name":"Cookie","value":".*canary-cookie.*abcdefghij.*"}]}],
              "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":0},{{{GatewayApiTestKit.CanaryBackend}}},"weight":100}]},
             {"matches":{{{GatewayApiTestKit.AllPaths}}},
              "backendRefs":[{{{GatewayApiTestKit.PrimaryBackend}}},"weight":90},
                {{{GatewayApiTestKit.CanaryBackend}}},"weight":10,"filters":[{"type":"ResponseHeaderModifier","responseHeaderModifier":{"add":[{"name":"Set-Cookie","value":"canary-cookie=abcdefghij; Max-Age=86400"}]}}]}]}]
            """, Route.Spec.Rules);
        Assert.Equal(new TrafficSplit(90, 10, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task V1beta1_reports_weights_without_waiting_for_the_parents_as_upstream()
    {
        var canary = ContractCanary();
        var router = GatewayApiTestKit.V1Beta1(_kube);
        await router.ReconcileAsync(canary, Ct);
        Route.Status = new HttpRouteStatus
        {
            Parents = [new RouteParentStatus
            {
                ParentRef = new ParentReference { Name = "gateway", Namespace = "istio-ingress" },
                Conditions = [new RouteCondition { Type = "Accepted", Status = "False", ObservedGeneration = 1 }],
            }],
        };

        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));
    }
}

/// <summary>Small fluent helper for fixtures.</summary>
internal static class FixtureExtensions
{
    public static T Also<T>(this T value, Action<T> configure)
    {
        configure(value);
        return value;
    }
}
