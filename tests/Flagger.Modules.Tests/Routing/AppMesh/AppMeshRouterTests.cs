using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.AppMesh;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.AppMesh;

/// <summary><c>appmesh</c> (v1beta1 CRDs): object shapes of inventory §3.1 (upstream: pkg/router/appmesh.go).</summary>
public sealed class AppMeshRouterTests : TrafficRouterContract
{
    private readonly InMemoryKube _kube = new();

    protected override string Provider => "appmesh";

    protected override void ConfigureContractCanary(Canary canary) => canary.Spec.Service!.MeshName = "global";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => Router(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new VirtualServiceV1Beta1
        {
            Metadata = new V1ObjectMeta { Name = "podinfo.test", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<VirtualServiceV1Beta1Spec>("""
                {"meshName":"global","virtualRouter":{"name":"podinfo-router"},
                 "routes":[{"name":"main","http":{"match":{"prefix":"/"},"action":{"weightedTargets":[{"virtualNodeName":"podinfo","weight":1}]}}}]}
                """),
        });
        return () => Json(kube.Get<VirtualServiceV1Beta1>("test", "podinfo.test")!.Spec);
    }

    private static AppMeshRouter Router(InMemoryKube kube)
    {
        var store = Store(kube);
        return new(store, new RouterObjects(store, Options.Create(new RoutingOptions { SetOwnerReferences = true })), NullLogger<AppMeshRouter>.Instance);
    }

    [Fact]
    public async Task Reconcile_creates_apex_primary_and_canary_nodes_and_the_two_virtual_services_in_the_mesh()
    {
        await Router(_kube).ReconcileAsync(ContractCanary(c => c.Spec.Service!.TargetPort = 8080), Ct);

        Assert.Equal(
            [("create", nameof(VirtualNodeV1Beta1), "test", "podinfo"), ("create", nameof(VirtualNodeV1Beta1), "test", "podinfo-primary"),
             ("create", nameof(VirtualNodeV1Beta1), "test", "podinfo-canary"), ("create", nameof(VirtualServiceV1Beta1), "test", "podinfo.test"),
             ("create", nameof(VirtualServiceV1Beta1), "test", "podinfo-canary.test")],
            _kube.Writes);
        var apexNode = _kube.Get<VirtualNodeV1Beta1>("test", "podinfo")!;
        Assert.Equal("appmesh.k8s.aws/v1beta1", apexNode.ApiVersion);
        AssertJson("""
            {"meshName":"global","listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "serviceDiscovery":{"dns":{"hostName":"podinfo-primary.test"}}}
            """, apexNode.Spec);
        AssertJson(OwnerRefJson, apexNode.Metadata.OwnerReferences);
        AssertJson("""
            {"meshName":"global","listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "serviceDiscovery":{"dns":{"hostName":"podinfo-primary.test"}}}
            """, _kube.Get<VirtualNodeV1Beta1>("test", "podinfo-primary")!.Spec);
        AssertJson("""
            {"meshName":"global","listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "serviceDiscovery":{"dns":{"hostName":"podinfo-canary.test"}}}
            """, _kube.Get<VirtualNodeV1Beta1>("test", "podinfo-canary")!.Spec);
        var vs = _kube.Get<VirtualServiceV1Beta1>("test", "podinfo.test")!;
        AssertJson("""
            {"meshName":"global",
             "virtualRouter":{"name":"podinfo","listeners":[{"portMapping":{"port":9898,"protocol":"http"}}]},
             "routes":[{"name":"podinfo","http":{"match":{"prefix":"/"},
               "action":{"weightedTargets":[{"virtualNodeName":"podinfo-canary","weight":0},{"virtualNodeName":"podinfo-primary","weight":100}]}}}]}
            """, vs.Spec);
        AssertJson(OwnerRefJson, vs.Metadata.OwnerReferences);
        AssertJson("""
            {"meshName":"global",
             "virtualRouter":{"name":"podinfo-canary","listeners":[{"portMapping":{"port":9898,"protocol":"http"}}]},
             "routes":[{"name":"podinfo-canary","http":{"match":{"prefix":"/"},
               "action":{"weightedTargets":[{"virtualNodeName":"podinfo-canary","weight":100},{"virtualNodeName":"podinfo-primary","weight":0}]}}}]}
            """, _kube.Get<VirtualServiceV1Beta1>("test", "podinfo-canary.test")!.Spec);
    }

    [Fact]
    public async Task AB_routes_retries_backends_access_log_and_gateway_annotations()
    {
        var canary = ContractCanary(c =>
        {
            c.Metadata.Annotations = new Dictionary<string, string> { ["appmesh.flagger.app/accesslog"] = "enabled" };
            c.Spec.Service!.PortName = "http-web";
            c.Spec.Service.Hosts = ["podinfo.example.com", "www.example.com"];
            c.Spec.Service.Timeout = "30s";
            c.Spec.Service.Retries = new HttpRetry { Attempts = 2, PerTryTimeout = "1s" };
            c.Spec.Service.Backends = ["backend.test"];
            c.Spec.Service.Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/api" } }];
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Prefix = "in" } } }];
        });

        await Router(_kube).ReconcileAsync(canary, Ct);

        AssertJson("""
            {"meshName":"global","listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "serviceDiscovery":{"dns":{"hostName":"podinfo-canary.test"}},
             "backends":[{"virtualService":{"virtualServiceName":"backend.test"}}],
             "logging":{"accessLog":{"file":{"path":"/dev/stdout"}}}}
            """, _kube.Get<VirtualNodeV1Beta1>("test", "podinfo-canary")!.Spec);
        var vs = _kube.Get<VirtualServiceV1Beta1>("test", "podinfo.test")!;
        AssertJson("""
            [{"name":"podinfo-a","priority":10,"http":{"match":{"prefix":"/api","headers":[{"name":"x-canary","match":{"prefix":"in"}}]},
               "action":{"weightedTargets":[{"virtualNodeName":"podinfo-canary","weight":0},{"virtualNodeName":"podinfo-primary","weight":100}]},
               "retryPolicy":{"perRetryTimeoutMillis":1000,"maxRetries":2,"httpRetryEvents":["gateway-error"]}}},
             {"name":"podinfo-b","priority":20,"http":{"match":{"prefix":"/api"},
               "action":{"weightedTargets":[{"virtualNodeName":"podinfo-primary","weight":100}]},
               "retryPolicy":{"perRetryTimeoutMillis":1000,"maxRetries":2,"httpRetryEvents":["gateway-error"]}}}]
            """, vs.Spec.Routes);
        AssertJson("""
            {"gateway.appmesh.k8s.aws/expose":"true","gateway.appmesh.k8s.aws/domain":"podinfo.example.com,www.example.com,",
             "gateway.appmesh.k8s.aws/timeout":"30s","gateway.appmesh.k8s.aws/retries":"2"}
            """, vs.Metadata.Annotations);
        Assert.Single(_kube.Get<VirtualServiceV1Beta1>("test", "podinfo-canary.test")!.Spec.Routes!);
    }

    [Fact]
    public async Task Reconcile_without_a_mesh_name_is_a_routing_exception()
    {
        var canary = Canary(c => c.Spec.Provider = Provider);

        var e = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).ReconcileAsync(canary, Ct));

        Assert.Contains("mesh name cannot be empty", e.Message, StringComparison.Ordinal);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task SetRoutes_moves_only_the_first_route_and_GetRoutes_reads_it()
    {
        var router = Router(_kube);
        var canary = ContractCanary();
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(60, 40, false), SessionAffinityCookies.None, Ct);

        Assert.Equal(("update", nameof(VirtualServiceV1Beta1), "test", "podinfo.test"), _kube.Writes[^1]);
        Assert.Equal(new TrafficSplit(60, 40, false), await router.GetRoutesAsync(canary, Ct));
        Assert.Equal(100, _kube.Get<VirtualServiceV1Beta1>("test", "podinfo-canary.test")!.Spec.Routes![0].Http!.Action.WeightedTargets[0].Weight);
    }
}
