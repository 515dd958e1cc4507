using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Apisix;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Apisix;

public sealed class ApisixRouterTests : TrafficRouterContract
{
    /// <summary>upstream's test/apisix/test-canary.sh route, with a second rule for another Service.</summary>
    private const string UserRouteSpec = """
        {"http":[
          {"name":"other","match":{"paths":["/other"]},"backends":[{"serviceName":"other","servicePort":80}]},
          {"name":"method","match":{"hosts":["app.example.com"],"methods":["GET"],"paths":["/*"]},
           "backends":[{"serviceName":"podinfo","servicePort":80,"resolveGranularity":"service","subset":"v1"}],
           "plugins":[{"name":"prometheus","enable":true,"config":{"disable":false,"prefer_name":true}}]}]}
        """;

    private readonly InMemoryKube _kube = new();

    public ApisixRouterTests()
    {
        SeedUserRoute(Kube);
        SeedUserRoute(_kube);
    }

    private ApisixRoute CanaryRoute => _kube.Get<ApisixRoute>("test", "podinfo-podinfo-canary")!;

    protected override string Provider => "apisix";

    protected override void ConfigureContractCanary(Canary canary) =>
        canary.Spec.RouteRef = new LocalObjectReference { ApiVersion = "apisix.apache.org/v2", Kind = "ApisixRoute", Name = "podinfo" };

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => Router(kube);

    /// <summary>A canary route left by a user (or a previous install), which Reconcile adopts.</summary>
    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new ApisixRoute
        {
            Metadata = new V1ObjectMeta { Name = "podinfo-podinfo-canary", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<ApisixRouteSpec>("""
                {"http":[{"name":"method","match":{"paths":["/*"]},"backends":[{"serviceName":"podinfo","servicePort":80}]}]}
                """),
        });
        return () => Json(kube.Get<ApisixRoute>("test", "podinfo-podinfo-canary")!.Spec);
    }

    private static void SeedUserRoute(InMemoryKube kube) => kube.Seed(new ApisixRoute
    {
        Metadata = new V1ObjectMeta
        {
            Name = "podinfo",
            NamespaceProperty = "test",
            Labels = new Dictionary<string, string> { ["team"] = "web" },
            Annotations = new Dictionary<string, string>
            {
                ["owner"] = "web",
                [RoutingConventions.KubectlAnnotation] = """{"apiVersion":"apisix.apache.org/v2","kind":"ApisixRoute"}""",
            },
        },
        Spec = KubernetesJson.Deserialize<ApisixRouteSpec>(UserRouteSpec),
    });

    private static ApisixRouter Router(InMemoryKube kube)
    {
        var store = Store(kube);
        return new ApisixRouter(store, new RouterObjects(store, Options.Create(new RoutingOptions { SetOwnerReferences = true })),
            NullLogger<ApisixRouter>.Instance);
    }

    private Canary ApisixCanary(Action<Canary>? configure = null) => ContractCanary(configure);

    [Fact]
    public async Task Reconcile_creates_the_canary_route_from_the_rule_whose_backend_is_the_apex_service()
    {
        await Router(_kube).ReconcileAsync(ApisixCanary(), Ct);

        Assert.Equal([("create", "ApisixRoute", "test", "podinfo-podinfo-canary")], _kube.Writes);
        Assert.Equal("apisix.apache.org/v2", CanaryRoute.ApiVersion);
        AssertJson("""
            {"http":[
              {"name":"method","priority":10000,"match":{"hosts":["app.example.com"],"methods":["GET"],"paths":["/*"]},
               "backends":[
                 {"serviceName":"podinfo-primary","servicePort":80,"resolveGranularity":"service","subset":"v1","weight":100},
                 {"serviceName":"podinfo-canary","servicePort":80,"resolveGranularity":"service","subset":"v1","weight":0}],
               "plugins":[{"name":"prometheus","enable":true,"config":{"disable":false,"prefer_name":true}}]}]}
            """, CanaryRoute.Spec);
        AssertJson("""{"team":"web"}""", CanaryRoute.Metadata.Labels);
        AssertJson("""{"owner":"web"}""", CanaryRoute.Metadata.Annotations);
        AssertJson(OwnerRefJson, CanaryRoute.Metadata.OwnerReferences);
        AssertJson(UserRouteSpec, _kube.Get<ApisixRoute>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Set_routes_writes_both_backend_weights()
    {
        var router = Router(_kube);
        var canary = ApisixCanary();
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);

        var backends = CanaryRoute.Spec.Http![0].Backends!;
        Assert.Equal([("podinfo-primary", 80), ("podinfo-canary", 20)], backends.Select(b => (b.ServiceName, b.Weight ?? -1)));
        Assert.Equal(new TrafficSplit(80, 20, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task Reconcile_after_the_user_route_changes_updates_the_rule_and_keeps_the_live_weights()
    {
        var router = Router(_kube);
        var canary = ApisixCanary();
        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(60, 40, false), SessionAffinityCookies.None, Ct);
        var user = _kube.Get<ApisixRoute>("test", "podinfo")!;
        user.Spec.Http![1].Extensions!["match"] = JsonDocumentOf("""{"paths":["/api/*"]}""");
        await _kube.ReplaceAsync(user, Ct);

        await router.ReconcileAsync(canary, Ct);

        var rule = CanaryRoute.Spec.Http![0];
        AssertJson("""{"paths":["/api/*"]}""", rule.Extensions!["match"]);
        Assert.Equal([60, 40], rule.Backends!.Select(b => b.Weight ?? -1));
    }

    [Fact]
    public async Task Set_routes_refuses_zero_for_both_with_upstreams_message()
    {
        var router = Router(_kube);
        var canary = ApisixCanary();
        await router.ReconcileAsync(canary, Ct);

        var error = await Assert.ThrowsAsync<RoutingException>(() => router.SetRoutesAsync(canary, new TrafficSplit(0, 0, false), SessionAffinityCookies.None, Ct));

        Assert.Equal("RoutingRule podinfo.test update failed: no valid weights", error.Message);
    }

    [Fact]
    public async Task Reconcile_without_route_ref_names_the_field()
    {
        var error = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).ReconcileAsync(ApisixCanary(c => c.Spec.RouteRef = null), Ct));

        Assert.Contains("spec.routeRef", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_fails_when_the_route_has_no_rule_for_the_apex_service()
    {
        var error = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).ReconcileAsync(ApisixCanary(c => c.Spec.Service!.Name = "frontend"), Ct));

        Assert.Equal("Can not find frontend backend on apisix route podinfo.test", error.Message);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task Reconcile_fails_when_the_rule_has_more_than_one_backend()
    {
        var user = _kube.Get<ApisixRoute>("test", "podinfo")!;
        user.Spec.Http![1].Backends!.Add(new ApisixRouteBackend { ServiceName = "podinfo-v2", ServicePort = 80 });
        await _kube.ReplaceAsync(user, Ct);

        var error = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).ReconcileAsync(ApisixCanary(), Ct));

        Assert.Equal("APISIX route podinfo.test's http route method only one http backend is supported", error.Message);
    }

    [Fact]
    public async Task Reconcile_fails_when_the_route_ref_does_not_exist()
    {
        var error = await Assert.ThrowsAsync<RoutingException>(() =>
            Router(_kube).ReconcileAsync(ApisixCanary(c => c.Spec.RouteRef!.Name = "missing"), Ct));

        Assert.StartsWith("APISIX route missing.test get query error", error.Message, StringComparison.Ordinal);
    }

    private static System.Text.Json.JsonElement JsonDocumentOf(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void The_routing_factory_answers_apisix_with_the_apisix_router()
    {
        Assert.IsType<ApisixRouter>(RoutingHost(null).GetRequiredService<IRoutingFactory>().TrafficRouter(ApisixCanary()));
    }

    [Fact]
    public void A_apisix_canary_passes_validation_and_the_catalog_refuses_ab_testing_mirroring_and_session_affinity()
    {
        Assert.Empty(CanaryValidator.Validate(ApisixCanary()));

        var errors = CanaryValidator.Validate(ApisixCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } }];
            c.Spec.Analysis.Mirror = true;
        }));
        var affinityErrors = CanaryValidator.Validate(ApisixCanary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" }));

        Assert.Contains(errors, e => e.Field == "spec.analysis.match" && e.Reason.StartsWith("A/B testing is not supported by provider apisix", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "spec.analysis.mirror");
        Assert.Contains(affinityErrors, e => e.Reason.StartsWith("session affinity is not supported by provider apisix", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_route_ref_validation_names_spec_route_ref()
    {
        Assert.Contains(CanaryValidator.Validate(ApisixCanary(c => c.Spec.RouteRef = null)), e => e.Field == "spec.routeRef");
    }
}
