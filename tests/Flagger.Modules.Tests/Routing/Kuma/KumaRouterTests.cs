using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Routing.Kuma;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Kuma;

/// <summary><c>kuma</c>: the cluster-scoped TrafficRoute (upstream: pkg/router/kuma.go, kuma_test.go).</summary>
public sealed class KumaRouterTests : TrafficRouterContract
{
    private const string DefaultSpec = """
        {"sources":[{"match":{"kuma.io/service":"*"}}],
         "destinations":[{"match":{"kuma.io/service":"podinfo_test_svc_9898"}}],
         "conf":{"split":[{"weight":100,"destination":{"kuma.io/service":"podinfo-primary_test_svc_9898"}},
                          {"weight":0,"destination":{"kuma.io/service":"podinfo-canary_test_svc_9898"}}]}}
        """;

    private TrafficRoute Route => Kube.Get<TrafficRoute>("", "podinfo")!;

    protected override string Provider => "kuma";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => Router(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new TrafficRoute
        {
            Metadata = new V1ObjectMeta { Name = "podinfo" },
            Mesh = "default",
            Spec = KubernetesJson.Deserialize<TrafficRouteSpec>("""
                {"sources":[{"match":{"kuma.io/service":"*"}}],"destinations":[{"match":{"kuma.io/service":"podinfo_test_svc_9898"}}],
                 "conf":{"destination":{"kuma.io/service":"podinfo_test_svc_9898"}}}
                """),
        });
        return () => Json(kube.Get<TrafficRoute>("", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Reconcile_creates_a_cluster_scoped_route_without_owner_in_the_default_mesh()
    {
        var canary = ContractCanary(c => c.Spec.Service!.Apex = new CustomMetadata { Labels = new() { ["l"] = "1" }, Annotations = new() { ["a"] = "2" } });

        await Router(Kube).ReconcileAsync(canary, Ct);

        Assert.Equal([("create", "TrafficRoute", "", "podinfo")], Kube.Writes);
        Assert.Equal("kuma.io/v1alpha1", Route.ApiVersion);
        Assert.Equal("default", Route.Mesh);
        Assert.Null(Route.Metadata.NamespaceProperty);
        Assert.Null(Route.Metadata.OwnerReferences);
        AssertJson(DefaultSpec, Route.Spec);
        AssertJson("""{"l":"1"}""", Route.Metadata.Labels);
        AssertJson("""{"a":"2","kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"}""", Route.Metadata.Annotations);
        Assert.False(ResourceKind.Of<TrafficRoute>().Namespaced);
    }

    [Fact]
    public async Task The_mesh_comes_from_the_canary_annotation()
    {
        await Router(Kube).ReconcileAsync(ContractCanary(c => c.Metadata.Annotations = new Dictionary<string, string> { ["kuma.io/mesh"] = "payments" }), Ct);

        Assert.Equal("payments", Route.Mesh);
    }

    [Fact]
    public async Task Set_routes_writes_primary_first_and_get_routes_reads_the_primary_weight()
    {
        var router = Router(Kube);
        var canary = ContractCanary();
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);

        AssertJson("""
            {"split":[{"weight":70,"destination":{"kuma.io/service":"podinfo-primary_test_svc_9898"}},
                      {"weight":30,"destination":{"kuma.io/service":"podinfo-canary_test_svc_9898"}}]}
            """, Route.Spec.Conf);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task A_changed_apex_label_updates_the_route_and_keeps_the_live_weights()
    {
        var router = Router(Kube);
        await router.ReconcileAsync(ContractCanary(), Ct);
        await router.SetRoutesAsync(ContractCanary(), new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);

        await router.ReconcileAsync(ContractCanary(c => c.Spec.Service!.Apex = new CustomMetadata { Labels = new() { ["team"] = "a" } }), Ct);

        AssertJson("""{"team":"a"}""", Route.Metadata.Labels);
        Assert.Equal(new TrafficSplit(80, 20, false), await router.GetRoutesAsync(ContractCanary(), Ct));
    }

    [Fact]
    public async Task A_route_flagger_wrote_is_not_remembered_as_an_original_when_its_port_changes()
    {
        var router = Router(Kube);
        await router.ReconcileAsync(ContractCanary(), Ct);

        await router.ReconcileAsync(ContractCanary(c => c.Spec.Service!.Port = 8080), Ct);

        Assert.Equal("podinfo_test_svc_8080", Route.Spec.Destinations![0].Match!["kuma.io/service"]);
        Assert.False(Route.Metadata.Annotations!.ContainsKey("flagger.kubernetes.io/original-configuration"));
    }

    [Fact]
    public async Task Get_routes_without_a_primary_destination_is_an_error()
    {
        SeedUserObject(Kube);

        var error = await Assert.ThrowsAsync<RoutingException>(() => Router(Kube).GetRoutesAsync(ContractCanary(), Ct));

        Assert.Equal("TrafficRoute podinfo does not contain routes for podinfo-primary and podinfo-canary", error.Message);
    }

    [Fact]
    public void The_factory_answers_kuma_with_this_router()
    {
        Assert.IsType<KumaRouter>(RoutingHost("kuma").GetRequiredService<IRoutingFactory>().TrafficRouter(Canary()));
    }

    private static KumaRouter Router(InMemoryKube kube)
    {
        var store = Store(kube);
        return new KumaRouter(store, new RouterObjects(store, Options.Create(new RoutingOptions())), NullLogger<KumaRouter>.Instance);
    }
}
