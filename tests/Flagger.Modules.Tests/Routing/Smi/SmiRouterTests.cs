using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Routing.Smi;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Smi;

/// <summary><c>linkerd</c>: TrafficSplit v1alpha1, weights as quantities (upstream: pkg/router/smi_test.go).</summary>
public sealed class LinkerdRouterTests : TrafficRouterContract
{
    protected override string Provider => "linkerd";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => SmiRouters.V1Alpha1(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new SmiTrafficSplitV1Alpha1
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<SmiTrafficSplitSpec<SmiQuantityBackend>>("""{"service":"podinfo","backends":[{"service":"podinfo-v1","weight":"100"}]}"""),
        });
        return () => Json(kube.Get<SmiTrafficSplitV1Alpha1>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Reconcile_creates_the_split_canary_first_with_quantity_weights_and_an_owner()
    {
        await SmiRouters.V1Alpha1(Kube).ReconcileAsync(ContractCanary(), Ct);

        var ts = Kube.Get<SmiTrafficSplitV1Alpha1>("test", "podinfo")!;
        Assert.Equal("split.smi-spec.io/v1alpha1", ts.ApiVersion);
        AssertJson("""{"service":"podinfo","backends":[{"service":"podinfo-canary","weight":"0"},{"service":"podinfo-primary","weight":"100"}]}""", ts.Spec);
        AssertJson(OwnerRefJson, ts.Metadata.OwnerReferences);
        Assert.Null(ts.Metadata.Annotations);
    }

    [Fact]
    public async Task Set_routes_writes_quantities_and_numbers_are_read_too()
    {
        var router = SmiRouters.V1Alpha1(Kube);
        var canary = ContractCanary();
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);

        AssertJson("""[{"service":"podinfo-canary","weight":"30"},{"service":"podinfo-primary","weight":"70"}]""",
            Kube.Get<SmiTrafficSplitV1Alpha1>("test", "podinfo")!.Spec.Backends);
        var numeric = KubernetesJson.Deserialize<SmiTrafficSplitSpec<SmiQuantityBackend>>("""{"service":"s","backends":[{"service":"a","weight":40}]}""");
        Assert.Equal(40, numeric.Backends![0].Weight);
    }

    [Fact]
    public async Task Spec_service_is_the_first_host_and_a_changed_host_keeps_the_live_weights()
    {
        var router = SmiRouters.V1Alpha1(Kube);
        await router.ReconcileAsync(ContractCanary(), Ct);
        await router.SetRoutesAsync(ContractCanary(), new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);

        await router.ReconcileAsync(ContractCanary(c => c.Spec.Service!.Hosts = ["podinfo.test.svc.cluster.local", "other"]), Ct);

        AssertJson("""
            {"service":"podinfo.test.svc.cluster.local","backends":[{"service":"podinfo-canary","weight":"20"},{"service":"podinfo-primary","weight":"80"}]}
            """, Kube.Get<SmiTrafficSplitV1Alpha1>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Linkerd_does_not_write_the_istio_gateways_annotation()
    {
        await SmiRouters.V1Alpha1(Kube).ReconcileAsync(ContractCanary(c => c.Spec.Service!.Gateways = ["public-gateway"]), Ct);

        Assert.Null(Kube.Get<SmiTrafficSplitV1Alpha1>("test", "podinfo")!.Metadata.Annotations);
    }

    [Fact]
    public async Task Get_routes_of_a_split_without_the_two_backends_is_an_error_naming_them()
    {
        SeedUserObject(Kube);

        var error = await Assert.ThrowsAsync<RoutingException>(() => SmiRouters.V1Alpha1(Kube).GetRoutesAsync(ContractCanary(), Ct));

        Assert.Equal("TrafficSplit podinfo.test does not contain routes for podinfo-primary and podinfo-canary", error.Message);
    }
}

/// <summary><c>osm</c>: TrafficSplit v1alpha2, integer weights (upstream: pkg/router/smi_v1alpha2.go).</summary>
public sealed class OsmRouterTests : TrafficRouterContract
{
    protected override string Provider => "osm";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => SmiRouters.V1Alpha2(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new SmiTrafficSplitV1Alpha2
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<SmiTrafficSplitSpec<SmiBackend>>("""{"service":"podinfo","backends":[{"service":"podinfo-v1","weight":100}]}"""),
        });
        return () => Json(kube.Get<SmiTrafficSplitV1Alpha2>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task Reconcile_then_set_routes_writes_integer_weights_canary_first()
    {
        var router = SmiRouters.V1Alpha2(Kube);
        var canary = ContractCanary();
        await router.ReconcileAsync(canary, Ct);
        AssertJson("""{"service":"podinfo","backends":[{"service":"podinfo-canary","weight":0},{"service":"podinfo-primary","weight":100}]}""",
            Kube.Get<SmiTrafficSplitV1Alpha2>("test", "podinfo")!.Spec);

        await router.SetRoutesAsync(canary, new TrafficSplit(60, 40, false), SessionAffinityCookies.None, Ct);

        var ts = Kube.Get<SmiTrafficSplitV1Alpha2>("test", "podinfo")!;
        Assert.Equal("split.smi-spec.io/v1alpha2", ts.ApiVersion);
        AssertJson("""{"service":"podinfo","backends":[{"service":"podinfo-canary","weight":40},{"service":"podinfo-primary","weight":60}]}""", ts.Spec);
    }
}

/// <summary><c>smi:v1alpha3:istio</c>: TrafficSplit v1alpha3 with the Istio gateways annotation (upstream: pkg/router/smi_v1alpha3.go).</summary>
public sealed class SmiV1Alpha3RouterTests : TrafficRouterContract
{
    protected override string Provider => "smi:v1alpha3:istio";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => SmiRouters.V1Alpha3(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new SmiTrafficSplitV1Alpha3
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<SmiTrafficSplitSpec<SmiBackend>>("""
                {"service":"podinfo","matches":[{"kind":"HTTPRouteGroup","name":"ab"}],"backends":[{"service":"podinfo-v1","weight":100}]}
                """),
        });
        return () => Json(kube.Get<SmiTrafficSplitV1Alpha3>("test", "podinfo")!.Spec);
    }

    [Fact]
    public async Task A_new_split_for_smi_on_istio_carries_the_gateways_annotation()
    {
        await SmiRouters.V1Alpha3(Kube).ReconcileAsync(ContractCanary(c => c.Spec.Service!.Gateways = ["public-gateway.istio-system", "mesh"]), Ct);

        var ts = Kube.Get<SmiTrafficSplitV1Alpha3>("test", "podinfo")!;
        Assert.Equal("split.smi-spec.io/v1alpha3", ts.ApiVersion);
        AssertJson("""{"VirtualService.v1alpha3.networking.istio.io/spec.gateways":"[\"public-gateway.istio-system\",\"mesh\"]"}""", ts.Metadata.Annotations);
        AssertJson("""{"service":"podinfo","backends":[{"service":"podinfo-canary","weight":0},{"service":"podinfo-primary","weight":100}]}""", ts.Spec);
    }

    [Fact]
    public async Task Taking_over_a_split_keeps_its_matches()
    {
        SeedUserObject(Kube);

        await SmiRouters.V1Alpha3(Kube).ReconcileAsync(ContractCanary(), Ct);

        AssertJson("""
            {"service":"podinfo","matches":[{"kind":"HTTPRouteGroup","name":"ab"}],
             "backends":[{"service":"podinfo-canary","weight":0},{"service":"podinfo-primary","weight":100}]}
            """, Kube.Get<SmiTrafficSplitV1Alpha3>("test", "podinfo")!.Spec);
    }

    [Theory]
    [InlineData("smi:v1alpha3:istio", "istio")]
    [InlineData("smi:v1alpha3:linkerd", "linkerd")]
    [InlineData("smi:v1alpha3", "smi:v1alpha3")]
    public void The_target_mesh_is_the_third_part_of_the_provider(string provider, string mesh)
    {
        Assert.Equal(mesh, SmiRouters.V1Alpha3(Kube).TargetMesh(ContractCanary(c => c.Spec.Provider = provider)));
    }
}

/// <summary>Which router answers which SMI spelling, and the v1alpha1 router for the global <c>smi:v1alpha1:istio</c>.</summary>
public sealed class SmiRegistrationTests
{
    [Theory]
    [InlineData("linkerd", typeof(SmiV1Alpha1Router))]
    [InlineData("smi:v1alpha1", typeof(SmiV1Alpha1Router))]
    [InlineData("smi:v1alpha1:istio", typeof(SmiV1Alpha1Router))]
    [InlineData("osm", typeof(SmiV1Alpha2Router))]
    [InlineData("smi:v1alpha2:osm", typeof(SmiV1Alpha2Router))]
    [InlineData("smi:v1alpha3", typeof(SmiV1Alpha3Router))]
    [InlineData("smi:v1alpha3:istio", typeof(SmiV1Alpha3Router))]
    public void Each_spelling_gets_the_router_of_its_version(string provider, Type expected)
    {
        var factory = RoutingHost(provider).GetRequiredService<IRoutingFactory>();

        Assert.IsType(expected, factory.TrafficRouter(Canary()));
    }

    [Fact]
    public async Task The_global_mesh_provider_names_the_target_mesh_when_the_canary_has_none()
    {
        var kube = new InMemoryKube();
        var router = (SmiV1Alpha1Router)RoutingHost("smi:v1alpha1:istio", kube: kube).GetRequiredService<IRoutingFactory>().TrafficRouter(Canary());

        await router.ReconcileAsync(Canary(c => c.Spec.Service!.Gateways = ["gw"]), TestContext.Current.CancellationToken);

        AssertJson("""{"VirtualService.v1alpha3.networking.istio.io/spec.gateways":"[\"gw\"]"}""",
            kube.Get<SmiTrafficSplitV1Alpha1>("test", "podinfo")!.Metadata.Annotations);
    }
}

internal static class SmiRouters
{
    public static SmiV1Alpha1Router V1Alpha1(InMemoryKube kube)
    {
        var store = Store(kube);
        return new(store, Objects(store), Options.Create(new RoutingOptions()), NullLogger<SmiV1Alpha1Router>.Instance);
    }

    public static SmiV1Alpha2Router V1Alpha2(InMemoryKube kube)
    {
        var store = Store(kube);
        return new(store, Objects(store), Options.Create(new RoutingOptions()), NullLogger<SmiV1Alpha2Router>.Instance);
    }

    public static SmiV1Alpha3Router V1Alpha3(InMemoryKube kube)
    {
        var store = Store(kube);
        return new(store, Objects(store), Options.Create(new RoutingOptions()), NullLogger<SmiV1Alpha3Router>.Instance);
    }

    private static RouterObjects Objects(RoutingObjectStore store) => new(store, Options.Create(new RoutingOptions()));
}
