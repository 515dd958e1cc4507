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

/// <summary><c>appmesh:v1beta2</c>: object shapes of inventory §3.1/§3.5 (upstream: pkg/router/appmesh_v1beta2.go).</summary>
public sealed class AppMeshV1Beta2RouterTests : TrafficRouterContract
{
    private const string FluxAnnotations = """
        {"kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"}
        """;

    private readonly InMemoryKube _kube = new();

    protected override string Provider => "appmesh:v1beta2";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => Router(kube);

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new VirtualRouterV1Beta2
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<VirtualRouterV1Beta2Spec>("""
                {"listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
                 "routes":[{"name":"main","httpRoute":{"match":{"prefix":"/"},"action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-v1"},"weight":1}]}}}]}
                """),
        });
        return () => Json(kube.Get<VirtualRouterV1Beta2>("test", "podinfo")!.Spec);
    }

    /// <summary>The router over <paramref name="kube"/>, with the canary Service the Kubernetes router creates first.</summary>
    private static AppMeshV1Beta2Router Router(InMemoryKube kube)
    {
        if (kube.Get<V1Service>("test", "podinfo-canary") is null)
        {
            kube.Seed(new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = new V1ObjectMeta { Name = "podinfo-canary", NamespaceProperty = "test" },
                Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "podinfo" } },
            });
        }

        var store = Store(kube);
        return new(store, new RouterObjects(store, Options.Create(new RoutingOptions { SetOwnerReferences = true })), NullLogger<AppMeshV1Beta2Router>.Instance);
    }

    [Fact]
    public async Task Reconcile_creates_primary_and_canary_nodes_the_apex_and_canary_routers_and_their_services()
    {
        await Router(_kube).ReconcileAsync(ContractCanary(), Ct);

        Assert.Equal(
            [("create", nameof(VirtualNodeV1Beta2), "test", "podinfo-primary"), ("create", nameof(VirtualNodeV1Beta2), "test", "podinfo-canary"),
             ("create", nameof(VirtualRouterV1Beta2), "test", "podinfo"), ("create", nameof(VirtualServiceV1Beta2), "test", "podinfo"),
             ("create", nameof(VirtualRouterV1Beta2), "test", "podinfo-canary"), ("create", nameof(VirtualServiceV1Beta2), "test", "podinfo-canary")],
            _kube.Writes);
        var primaryNode = _kube.Get<VirtualNodeV1Beta2>("test", "podinfo-primary")!;
        Assert.Equal("appmesh.k8s.aws/v1beta2", primaryNode.ApiVersion);
        AssertJson("""
            {"podSelector":{"matchLabels":{"app":"podinfo-primary"}},
             "listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "serviceDiscovery":{"dns":{"hostname":"podinfo-primary.test.svc.cluster.local."}}}
            """, primaryNode.Spec);
        AssertJson(FluxAnnotations, primaryNode.Metadata.Annotations);
        AssertJson(OwnerRefJson, primaryNode.Metadata.OwnerReferences);
        AssertJson("""
            {"podSelector":{"matchLabels":{"app":"podinfo"}},
             "listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "serviceDiscovery":{"dns":{"hostname":"podinfo-canary.test.svc.cluster.local."}}}
            """, _kube.Get<VirtualNodeV1Beta2>("test", "podinfo-canary")!.Spec);
        var apex = _kube.Get<VirtualRouterV1Beta2>("test", "podinfo")!;
        AssertJson("""
            {"listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "routes":[{"name":"podinfo","httpRoute":{"match":{"prefix":"/"},
               "action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-canary"},"weight":0},{"virtualNodeRef":{"name":"podinfo-primary"},"weight":100}]}}}]}
            """, apex.Spec);
        AssertJson(OwnerRefJson, apex.Metadata.OwnerReferences);
        AssertJson("""
            {"listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],
             "routes":[{"name":"podinfo-canary","httpRoute":{"match":{"prefix":"/"},
               "action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-canary"},"weight":100},{"virtualNodeRef":{"name":"podinfo-primary"},"weight":0}]}}}]}
            """, _kube.Get<VirtualRouterV1Beta2>("test", "podinfo-canary")!.Spec);
        var vs = _kube.Get<VirtualServiceV1Beta2>("test", "podinfo")!;
        AssertJson("""{"provider":{"virtualRouter":{"virtualRouterRef":{"name":"podinfo"}}}}""", vs.Spec);
        Assert.Null(vs.Metadata.Annotations);
        AssertJson("""{"provider":{"virtualRouter":{"virtualRouterRef":{"name":"podinfo-canary"}}}}""",
            _kube.Get<VirtualServiceV1Beta2>("test", "podinfo-canary")!.Spec);
    }

    [Fact]
    public async Task Reconcile_maps_grpc_target_port_timeout_retries_prefix_backends_access_log_and_gateway_hosts()
    {
        var canary = CanaryFromYaml(BaseCanary.Replace("""
              service:
                port: 9898
            """, """
              service:
                port: 9898
                portName: grpc-quotes
                targetPort: 8080
                timeout: 15s
                hosts: [quotes.example.com]
                retries: {attempts: 3, perTryTimeout: 5s, retryOn: "gateway-error,client-error"}
                match:
                - uri: {prefix: /quotes}
                backends:
                - backend.test
                - arn:aws:appmesh:eu-west-1:000000000000:mesh/global/virtualService/rates.test
                apex:
                  labels: {team: quotes}
            """, StringComparison.Ordinal));
        canary.Metadata.Annotations = new Dictionary<string, string> { ["appmesh.flagger.app/accesslog"] = "enabled" };
        canary.Spec.Provider = Provider;

        await Router(_kube).ReconcileAsync(canary, Ct);

        var node = _kube.Get<VirtualNodeV1Beta2>("test", "podinfo-canary")!;
        AssertJson("""
            {"podSelector":{"matchLabels":{"app":"podinfo"}},
             "listeners":[{"portMapping":{"port":8080,"protocol":"grpc"},"timeout":{"http":{"perRequest":{"unit":"ms","value":15000}}}}],
             "serviceDiscovery":{"dns":{"hostname":"podinfo-canary.test.svc.cluster.local."}},
             "backends":[{"virtualService":{"virtualServiceRef":{"name":"backend.test"}}},
                         {"virtualService":{"virtualServiceARN":"arn:aws:appmesh:eu-west-1:000000000000:mesh/global/virtualService/rates.test"}}],
             "logging":{"accessLog":{"file":{"path":"/dev/stdout"}}}}
            """, node.Spec);
        AssertJson("""{"team":"quotes"}""", node.Metadata.Labels);
        AssertJson("""
            {"listeners":[{"portMapping":{"port":8080,"protocol":"grpc"}}],
             "routes":[{"name":"podinfo","httpRoute":{"match":{"prefix":"/quotes"},
               "action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-canary"},"weight":0},{"virtualNodeRef":{"name":"podinfo-primary"},"weight":100}]},
               "retryPolicy":{"httpRetryEvents":["gateway-error","client-error"],"maxRetries":3,"perRetryTimeout":{"unit":"ms","value":5000}},
               "timeout":{"perRequest":{"unit":"ms","value":15000}}}}]}
            """, _kube.Get<VirtualRouterV1Beta2>("test", "podinfo")!.Spec);
        AssertJson("""
            {"gateway.appmesh.k8s.aws/expose":"true","gateway.appmesh.k8s.aws/domain":"quotes.example.com,",
             "gateway.appmesh.k8s.aws/timeout":"15s","gateway.appmesh.k8s.aws/retries":"3"}
            """, _kube.Get<VirtualServiceV1Beta2>("test", "podinfo")!.Metadata.Annotations);
        Assert.Null(_kube.Get<VirtualServiceV1Beta2>("test", "podinfo-canary")!.Metadata.Annotations);
    }

    [Fact]
    public async Task Retries_without_values_default_to_one_gateway_error_retry_of_250ms()
    {
        var canary = ContractCanary(c => c.Spec.Service!.Retries = new HttpRetry());

        await Router(_kube).ReconcileAsync(canary, Ct);

        AssertJson("""{"httpRetryEvents":["gateway-error"],"maxRetries":1,"perRetryTimeout":{"unit":"ms","value":250}}""",
            _kube.Get<VirtualRouterV1Beta2>("test", "podinfo")!.Spec.Routes![0].HttpRoute!.RetryPolicy);
    }

    [Fact]
    public async Task AB_testing_routes_matching_headers_by_weight_and_the_rest_to_the_primary()
    {
        var canary = ContractCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match =
            [
                new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } },
                new HttpMatchRequest { Headers = new() { ["user-agent"] = new StringMatch { Regex = ".*Firefox.*" } } },
            ];
        });
        var router = Router(_kube);
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        AssertJson("""
            [{"name":"podinfo-a","priority":10,"httpRoute":{"match":{"prefix":"/","headers":[
                 {"name":"x-canary","match":{"exact":"insider"}},{"name":"user-agent","match":{"regex":".*Firefox.*"}}]},
               "action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-canary"},"weight":100},{"virtualNodeRef":{"name":"podinfo-primary"},"weight":0}]}}},
             {"name":"podinfo-b","priority":20,"httpRoute":{"match":{"prefix":"/"},
               "action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-primary"},"weight":100}]}}}]
            """, _kube.Get<VirtualRouterV1Beta2>("test", "podinfo")!.Spec.Routes);
        Assert.Equal("podinfo-canary", _kube.Get<VirtualRouterV1Beta2>("test", "podinfo-canary")!.Spec.Routes![0].Name);
    }

    [Fact]
    public async Task Reconcile_keeps_the_live_weights_and_the_mesh_fields_App_Mesh_sets()
    {
        var router = Router(_kube);
        var canary = ContractCanary();
        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);
        var live = _kube.Get<VirtualRouterV1Beta2>("test", "podinfo")!;
        live.Spec.MeshRef = new AppMeshReference { Name = "global", Uid = "mesh-uid" };
        live.Spec.AwsName = "podinfo_test";
        _kube.Seed(live);
        var writes = _kube.Writes.Count;

        canary.Spec.Service!.Timeout = "10s";
        await router.ReconcileAsync(canary, Ct);

        // the timeout changes both nodes' listeners and both routers' routes; the services stay
        Assert.Equal(
            [("update", nameof(VirtualNodeV1Beta2), "test", "podinfo-primary"), ("update", nameof(VirtualNodeV1Beta2), "test", "podinfo-canary"),
             ("update", nameof(VirtualRouterV1Beta2), "test", "podinfo"), ("update", nameof(VirtualRouterV1Beta2), "test", "podinfo-canary")],
            _kube.Writes.Skip(writes));
        var updated = _kube.Get<VirtualRouterV1Beta2>("test", "podinfo")!;
        Assert.Equal("global", updated.Spec.MeshRef?.Name);
        Assert.Equal("podinfo_test", updated.Spec.AwsName);
        Assert.Equal(10000, updated.Spec.Routes![0].HttpRoute!.Timeout!.PerRequest!.Value);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task Reconcile_without_the_canary_service_names_it()
    {
        var store = Store(_kube);
        var router = new AppMeshV1Beta2Router(store, new RouterObjects(store, Options.Create(new RoutingOptions())), NullLogger<AppMeshV1Beta2Router>.Instance);

        var e = await Assert.ThrowsAsync<RoutingException>(() => router.ReconcileAsync(ContractCanary(), Ct));

        Assert.Contains("Service podinfo-canary.test not found", e.Message, StringComparison.Ordinal);
        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task GetRoutes_of_a_router_without_both_targets_is_a_routing_exception()
    {
        SeedUserObject(_kube);

        var e = await Assert.ThrowsAsync<RoutingException>(() => Router(_kube).GetRoutesAsync(ContractCanary(), Ct));

        Assert.Equal("VirtualRouter routes podinfo not found", e.Message);
    }
}
