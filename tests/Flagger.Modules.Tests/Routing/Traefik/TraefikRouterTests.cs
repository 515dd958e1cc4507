using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Routing.Traefik;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Traefik;

public sealed class TraefikRouterTests : TrafficRouterContract
{
    private const string FluxAnnotations = """
        "kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"
        """;

    private readonly InMemoryKube _kube = new();

    private TraefikService Ts => _kube.Get<TraefikService>("test", "podinfo")!;

    protected override string Provider => "traefik";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => Router(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new TraefikService
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<TraefikServiceSpec>("""
                {"weighted":{"services":[{"name":"podinfo-v1","namespace":"test","port":80,"weight":3},{"name":"podinfo-v2","namespace":"test","port":80,"weight":1}]}}
                """),
        });
        return () => Json(kube.Get<TraefikService>("test", "podinfo")!.Spec);
    }

    private static TraefikRouter Router(InMemoryKube kube, bool ownerRefs = true)
    {
        var store = Store(kube);
        return new TraefikRouter(store, new RouterObjects(store, Options.Create(new RoutingOptions { SetOwnerReferences = ownerRefs })),
            NullLogger<TraefikRouter>.Instance);
    }

    private static Canary TraefikCanary(Action<Canary>? configure = null) => Canary(c =>
    {
        c.Spec.Provider = "traefik";
        c.Spec.Service!.Port = 80;
        configure?.Invoke(c);
    });

    [Fact]
    public async Task Reconcile_creates_the_traefik_service_with_the_primary_at_weight_100_and_the_apex_metadata()
    {
        var canary = TraefikCanary(c => c.Spec.Service!.Apex = new CustomMetadata
        {
            Labels = new() { ["test"] = "test-label" },
            Annotations = new() { ["test"] = "test-annotation" },
        });

        await Router(_kube).ReconcileAsync(canary, Ct);

        Assert.Equal([("create", "TraefikService", "test", "podinfo")], _kube.Writes);
        Assert.Equal("traefik.io/v1alpha1", Ts.ApiVersion);
        Assert.Equal("TraefikService", Ts.Kind);
        AssertJson("""{"weighted":{"services":[{"name":"podinfo-primary","namespace":"test","port":80,"weight":100}]}}""", Ts.Spec);
        AssertJson("""{"test":"test-label"}""", Ts.Metadata.Labels);
        AssertJson($$"""{"test":"test-annotation",{{FluxAnnotations}}}""", Ts.Metadata.Annotations);
        AssertJson(OwnerRefJson, Ts.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Without_owner_references_the_traefik_service_has_no_owner()
    {
        await Router(_kube, ownerRefs: false).ReconcileAsync(TraefikCanary(), Ct);

        Assert.Null(Ts.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Set_routes_adds_the_canary_entry_while_its_weight_is_above_zero_and_removes_it_at_zero()
    {
        var router = Router(_kube);
        var canary = TraefikCanary();
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);

        AssertJson("""
            {"weighted":{"services":[
              {"name":"podinfo-primary","namespace":"test","port":80,"weight":70},
              {"name":"podinfo-canary","namespace":"test","port":80,"weight":30}]}}
            """, Ts.Spec);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(canary, Ct));

        await router.SetRoutesAsync(canary, TrafficSplit.AllPrimary, SessionAffinityCookies.None, Ct);

        AssertJson("""{"weighted":{"services":[{"name":"podinfo-primary","namespace":"test","port":80,"weight":100}]}}""", Ts.Spec);
    }

    [Fact]
    public async Task All_canary_writes_the_primary_at_an_explicit_weight_0_so_traefik_sends_it_nothing()
    {
        var router = Router(_kube);
        var canary = TraefikCanary();
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        // upstream omits weight 0 (omitempty), which Traefik reads as weight 1; we write it.
        AssertJson("""
            {"weighted":{"services":[
              {"name":"podinfo-primary","namespace":"test","port":80,"weight":0},
              {"name":"podinfo-canary","namespace":"test","port":80,"weight":100}]}}
            """, Ts.Spec);
    }

    [Fact]
    public async Task Set_routes_refuses_zero_for_both_with_upstreams_message()
    {
        var router = Router(_kube);
        var canary = TraefikCanary();
        await router.ReconcileAsync(canary, Ct);

        var error = await Assert.ThrowsAsync<RoutingException>(() => router.SetRoutesAsync(canary, new TrafficSplit(0, 0, false), SessionAffinityCookies.None, Ct));

        Assert.Equal("RoutingRule podinfo.test update failed: no valid weights", error.Message);
    }

    [Fact]
    public async Task Reconcile_during_a_run_keeps_the_live_weights_and_updates_a_changed_port_and_metadata()
    {
        var router = Router(_kube);
        var canary = TraefikCanary();
        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(60, 40, false), SessionAffinityCookies.None, Ct);

        canary.Spec.Service!.Port = 8080;
        canary.Spec.Service.Apex = new CustomMetadata { Labels = new() { ["new"] = "label" } };
        await router.ReconcileAsync(canary, Ct);

        AssertJson("""
            {"weighted":{"services":[
              {"name":"podinfo-primary","namespace":"test","port":8080,"weight":60},
              {"name":"podinfo-canary","namespace":"test","port":8080,"weight":40}]}}
            """, Ts.Spec);
        AssertJson("""{"new":"label"}""", Ts.Metadata.Labels);
    }

    [Fact]
    public async Task Taking_over_a_users_traefik_service_saves_its_spec_and_keeps_weighted_options()
    {
        _kube.Seed(new TraefikService
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<TraefikServiceSpec>("""
                {"weighted":{"sticky":{"cookie":{"name":"lvl1"}},"services":[{"name":"podinfo","namespace":"test","port":80}]}}
                """),
        });

        await Router(_kube).ReconcileAsync(TraefikCanary(), Ct);

        AssertJson("""
            {"weighted":{"sticky":{"cookie":{"name":"lvl1"}},"services":[{"name":"podinfo-primary","namespace":"test","port":80,"weight":100}]}}
            """, Ts.Spec);
        AssertJson("""{"weighted":{"sticky":{"cookie":{"name":"lvl1"}},"services":[{"name":"podinfo","namespace":"test","port":80}]}}""",
            JsonNode.Parse(Ts.Metadata.Annotations[RoutingConventions.OriginalConfigurationAnnotation]));
    }

    [Fact]
    public async Task Get_routes_without_a_primary_entry_is_a_routing_exception()
    {
        _kube.Seed(new TraefikService
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new TraefikServiceSpec { Weighted = new TraefikWeighted { Services = [] } },
        });

        await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).GetRoutesAsync(TraefikCanary(), Ct));
    }

    [Fact]
    public void The_routing_factory_answers_traefik_with_the_traefik_router()
    {
        Assert.IsType<TraefikRouter>(RoutingHost(null).GetRequiredService<IRoutingFactory>().TrafficRouter(TraefikCanary()));
    }

    [Fact]
    public void A_traefik_canary_passes_validation_and_the_catalog_refuses_ab_testing_mirroring_and_session_affinity()
    {
        Assert.Empty(CanaryValidator.Validate(TraefikCanary()));

        var errors = CanaryValidator.Validate(TraefikCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } }];
            c.Spec.Analysis.Mirror = true;
        }));
        var affinityErrors = CanaryValidator.Validate(TraefikCanary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" }));

        Assert.Contains(errors, e => e.Field == "spec.analysis.match" && e.Reason.StartsWith("A/B testing is not supported by provider traefik", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "spec.analysis.mirror");
        Assert.Contains(affinityErrors, e => e.Reason.StartsWith("session affinity is not supported by provider traefik", StringComparison.Ordinal));
    }
}
