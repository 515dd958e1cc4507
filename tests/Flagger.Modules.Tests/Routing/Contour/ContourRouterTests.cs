using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contour;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Contour;

public sealed class ContourRouterTests : TrafficRouterContract
{
    private const string FluxAnnotations = """
        "kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"
        """;

    private static readonly string Primary = Service("podinfo-primary", 100);
    private static readonly string CanaryAtZero = Service("podinfo-canary", null);

    private readonly InMemoryKube _kube = new();

    private HttpProxy Proxy => _kube.Get<HttpProxy>("test", "podinfo")!;

    protected override string Provider => "contour";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => Router(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new HttpProxy
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<HttpProxySpec>("""
                {"routes":[{"conditions":[{"prefix":"/"}],"services":[{"name":"podinfo","port":9898}],"enableWebsockets":true}]}
                """),
        });
        return () => Json(kube.Get<HttpProxy>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Reconcile_creates_the_http_proxy_without_virtual_host_with_the_ingress_class_and_linkerd_headers()
    {
        var canary = Canary(c =>
        {
            c.Spec.Provider = "contour";
            c.Spec.Service!.Apex = new CustomMetadata { Labels = new() { ["l"] = "1" }, Annotations = new() { ["a"] = "2" } };
        });

        await Router(_kube, ingressClass: "contour").ReconcileAsync(canary, Ct);

        Assert.Equal([("create", "HttpProxy", "test", "podinfo")], _kube.Writes);
        Assert.Equal("projectcontour.io/v1", Proxy.ApiVersion);
        AssertJson($$$"""
            {"ingressClassName":"contour","routes":[{"conditions":[{"prefix":"/"}],"services":[{{{Primary}}},{{{CanaryAtZero}}}]}]}
            """, Proxy.Spec);
        AssertJson("""{"l":"1"}""", Proxy.Metadata.Labels);
        AssertJson($$$"""{"a":"2",{{{FluxAnnotations}}}}""", Proxy.Metadata.Annotations);
        AssertJson(OwnerRefJson, Proxy.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Without_an_ingress_class_the_proxy_has_no_ingress_class_name()
    {
        await Router(_kube).ReconcileAsync(Canary(), Ct);

        Assert.Null(Json(Proxy.Spec)!["ingressClassName"]);
    }

    [Fact]
    public async Task Prefix_timeout_and_retries_become_conditions_timeout_policy_and_retry_policy()
    {
        var canary = Canary(c =>
        {
            c.Spec.Service!.Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/api" } }];
            c.Spec.Service.Timeout = "15s";
            c.Spec.Service.Retries = new HttpRetry { Attempts = 3, PerTryTimeout = "5s", RetryOn = "5xx,gateway-error" };
        });

        await Router(_kube).ReconcileAsync(canary, Ct);

        AssertJson($$$"""
            {"routes":[{"conditions":[{"prefix":"/api"}],
              "timeoutPolicy":{"response":"15s","idle":"5m"},
              "retryPolicy":{"count":3,"perTryTimeout":"5s","retryOn":["5xx","gateway-error"]},
              "services":[{{{Primary}}},{{{CanaryAtZero}}}]}]}
            """, Proxy.Spec);
    }

    [Fact]
    public async Task SetRoutes_writes_the_weights_omitting_zero_and_GetRoutes_reads_the_primary_weight()
    {
        var router = Router(_kube);
        var canary = Canary();
        await router.ReconcileAsync(canary, Ct);
        _kube.Writes.Clear();

        await router.SetRoutesAsync(canary, new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);

        Assert.Equal([("update", "HttpProxy", "test", "podinfo")], _kube.Writes);
        AssertJson($$$"""
            {"routes":[{"conditions":[{"prefix":"/"}],"services":[{{{Service("podinfo-primary", 70)}}},{{{Service("podinfo-canary", 30)}}}]}]}
            """, Proxy.Spec);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(canary, Ct));

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);
        AssertJson($$$"""[{{{Service("podinfo-primary", null)}}},{{{Service("podinfo-canary", 100)}}}]""", Proxy.Spec.Routes![0].Services);
        Assert.Equal(TrafficSplit.AllCanary, await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task Ab_testing_puts_a_header_conditioned_route_first_and_keeps_the_default_route_on_the_primary()
    {
        var router = Router(_kube);
        var canary = Canary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match =
            [
                new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } },
                new HttpMatchRequest { Headers = new() { ["user-agent"] = new StringMatch { Prefix = "Firefox" }, ["cookie"] = new StringMatch { Suffix = "canary=always" } } },
            ];
        });
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        AssertJson($$$"""
            {"routes":[
              {"conditions":[{"prefix":"/","header":{"name":"x-canary","exact":"insider"}},
                             {"prefix":"/","header":{"name":"user-agent","contains":"Firefox"}},
                             {"prefix":"/","header":{"name":"cookie","contains":"canary=always"}}],
               "services":[{{{Service("podinfo-primary", null)}}},{{{Service("podinfo-canary", 100)}}}]},
              {"conditions":[{"prefix":"/"}],"services":[{{{Primary}}},{{{CanaryAtZero}}}]}]}
            """, Proxy.Spec);
        Assert.Equal(TrafficSplit.AllCanary, await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task A_regex_header_match_is_a_routing_error_naming_the_header()
    {
        var canary = Canary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Regex = "^in.*" } } }];
        });

        var error = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).ReconcileAsync(canary, Ct));

        Assert.Contains("HTTPProxy header condition x-canary needs exact, prefix or suffix", error.Message, StringComparison.Ordinal);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task A_spec_change_mid_analysis_reshapes_the_route_but_keeps_the_live_weights()
    {
        var router = Router(_kube);
        await router.ReconcileAsync(Canary(), Ct);
        await router.SetRoutesAsync(Canary(), new TrafficSplit(60, 40, false), SessionAffinityCookies.None, Ct);
        _kube.Writes.Clear();

        await router.ReconcileAsync(Canary(c => c.Spec.Service!.Timeout = "5s"), Ct);

        Assert.Equal([("update", "HttpProxy", "test", "podinfo")], _kube.Writes);
        AssertJson($$$"""
            [{"conditions":[{"prefix":"/"}],"timeoutPolicy":{"response":"5s","idle":"5m"},
              "services":[{{{Service("podinfo-primary", 60)}}},{{{Service("podinfo-canary", 40)}}}]}]
            """, Proxy.Spec.Routes);
    }

    [Fact]
    public async Task SetRoutes_refuses_zero_weights_for_both_with_upstreams_message()
    {
        var router = Router(_kube);
        await router.ReconcileAsync(Canary(), Ct);

        var error = await Assert.ThrowsAsync<RoutingException>(() =>
            router.SetRoutesAsync(Canary(), new TrafficSplit(0, 0, false), SessionAffinityCookies.None, Ct));

        Assert.Equal("HTTPProxy podinfo.test update failed: no valid weights", error.Message);
    }

    [Fact]
    public async Task GetRoutes_of_a_proxy_without_two_services_is_a_routing_error()
    {
        _kube.Seed(new HttpProxy
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new HttpProxySpec { Routes = [new ContourRoute { Services = [new ContourService { Name = "podinfo-primary", Port = 9898 }] }] },
        });

        var error = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).GetRoutesAsync(Canary(), Ct));

        Assert.Equal("HTTPProxy podinfo.test services not found", error.Message);
    }

    private static ContourRouter Router(InMemoryKube kube, string? ingressClass = null)
    {
        var store = Store(kube);
        var options = Options.Create(new RoutingOptions { IngressClass = ingressClass });
        return new ContourRouter(store, new RouterObjects(store, options), options, NullLogger<ContourRouter>.Instance);
    }

    private static string Service(string name, int? weight) =>
        $$$"""{"name":"{{{name}}}","port":9898,{{{(weight is null ? "" : $"\"weight\":{weight},")}}}"requestHeadersPolicy":{"set":[{"name":"l5d-dst-override","value":"{{{name}}}.test.svc.cluster.local:9898"}]}}""";
}
