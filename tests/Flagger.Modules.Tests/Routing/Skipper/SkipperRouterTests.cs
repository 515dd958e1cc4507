using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Routing.Skipper;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Skipper;

public sealed class SkipperRouterTests : TrafficRouterContract
{
    private const string UserIngress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: podinfo-ingress
          namespace: test
          labels:
            app: podinfo
          annotations:
            kubernetes.io/ingress.class: skipper
            zalando.org/skipper-predicate: Header("X-Env", "test")
        spec:
          rules:
          - host: app.example.com
            http:
              paths:
              - pathType: Prefix
                path: /
                backend:
                  service:
                    name: podinfo
                    port:
                      number: 80
        """;

    private const string FluxAnnotations = """
        "kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"
        """;

    private V1Ingress CanaryIngress => Kube.Get<V1Ingress>("test", "podinfo-ingress-canary")!;

    protected override string Provider => "skipper";

    private protected override bool LeavesUserObjectUntouched => true;

    protected override void ConfigureContractCanary(Canary canary) =>
        canary.Spec.IngressRef = new LocalObjectReference { ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", Name = "podinfo-ingress" };

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube)
    {
        if (kube.Get<V1Ingress>("test", "podinfo-ingress") is null)
        {
            kube.Seed(KubernetesYaml.Deserialize<V1Ingress>(UserIngress));
        }

        var store = Store(kube);
        var options = Options.Create(new RoutingOptions());
        return new SkipperRouter(store, new RouterObjects(store, options), kube, NullLogger<SkipperRouter>.Instance);
    }

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(KubernetesYaml.Deserialize<V1Ingress>(UserIngress));
        return () => Json(kube.Get<V1Ingress>("test", "podinfo-ingress"));
    }

    [Fact]
    public async Task Reconcile_creates_the_canary_ingress_with_primary_and_canary_paths_weights_and_predicate()
    {
        var router = CreateRouter(Kube);

        await router.ReconcileAsync(ContractCanary(), Ct);

        Assert.Equal([("create", "V1Ingress", "test", "podinfo-ingress-canary")], Kube.Writes);
        AssertJson("""
            {"rules":[{"host":"app.example.com","http":{"paths":[
              {"path":"/","pathType":"Prefix","backend":{"service":{"name":"podinfo-primary","port":{"number":80}}}},
              {"path":"/","pathType":"Prefix","backend":{"service":{"name":"podinfo-canary","port":{"number":80}}}}]}}]}
            """, CanaryIngress.Spec);
        AssertJson($$"""
            {"kubernetes.io/ingress.class":"skipper",{{FluxAnnotations}},
             "zalando.org/backend-weights":"{\"podinfo-canary\":0,\"podinfo-primary\":100}",
             "zalando.org/skipper-predicate":"Weight(100) && Header(\"X-Env\", \"test\")"}
            """, CanaryIngress.Metadata.Annotations);
        AssertJson("""{"app":"podinfo"}""", CanaryIngress.Metadata.Labels);
        AssertJson(OwnerRefJson, CanaryIngress.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Set_routes_writes_backend_weights_and_disables_the_routes_with_False_at_canary_weight_0()
    {
        var router = CreateRouter(Kube);
        var canary = ContractCanary();
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);

        Assert.Equal("""{"podinfo-canary":20,"podinfo-primary":80}""", CanaryIngress.Metadata.Annotations[SkipperRouter.BackendWeightsAnnotation]);
        Assert.Equal("""Weight(100) && Header("X-Env", "test")""", CanaryIngress.Metadata.Annotations[SkipperRouter.PredicateAnnotation]);

        await router.SetRoutesAsync(canary, TrafficSplit.AllPrimary, SessionAffinityCookies.None, Ct);

        Assert.Equal("""{"podinfo-canary":0,"podinfo-primary":100}""", CanaryIngress.Metadata.Annotations[SkipperRouter.BackendWeightsAnnotation]);
        Assert.Equal("""False() && Header("X-Env", "test")""", CanaryIngress.Metadata.Annotations[SkipperRouter.PredicateAnnotation]);
        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));
    }

    [Theory]
    [InlineData(null, "Weight(100)", "Weight(100)")]
    [InlineData("False() && Weight(100) && Path(\"/\")", "Weight(100)", "Weight(100) && Path(\"/\")")]
    [InlineData(" Weight(100)&&Method(\"GET\") ", "False()", "False() && Method(\"GET\")")]
    public void Insert_predicate_puts_its_predicate_first_and_drops_the_conflicting_ones(string? raw, string first, string expected) =>
        Assert.Equal(expected, SkipperRouter.InsertPredicate(raw, first));

    [Fact]
    public async Task Finalize_deletes_the_canary_ingress_and_leaves_the_user_ingress()
    {
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(ContractCanary(), Ct);

        await router.FinalizeAsync(ContractCanary(), Ct);
        await router.FinalizeAsync(ContractCanary(), Ct);

        Assert.Null(Kube.Get<V1Ingress>("test", "podinfo-ingress-canary"));
        Assert.NotNull(Kube.Get<V1Ingress>("test", "podinfo-ingress"));
        Assert.Equal(("delete", "V1Ingress", "test", "podinfo-ingress-canary"), Kube.Writes[^1]);
        Assert.Single(Kube.Writes, w => w.Verb == "delete");
    }

    [Fact]
    public async Task Reconcile_without_a_backend_for_the_service_names_the_ingress()
    {
        var router = CreateRouter(Kube);

        var e = await Assert.ThrowsAsync<RoutingException>(() => router.ReconcileAsync(ContractCanary(c => c.Spec.Service!.Name = "frontend"), Ct));

        Assert.StartsWith("backend frontend not found in ingress podinfo-ingress", e.Message, StringComparison.Ordinal);
        Assert.Empty(Kube.Writes);
    }

    [Fact]
    public async Task Get_routes_without_backend_weights_is_a_routing_exception()
    {
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(ContractCanary(), Ct);
        var ingress = CanaryIngress;
        ingress.Metadata.Annotations.Remove(SkipperRouter.BackendWeightsAnnotation);
        Kube.Seed(ingress);

        var e = await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(ContractCanary(), Ct));

        Assert.Contains("get backendWeights error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_requires_the_ingress_ref_and_rejects_what_skipper_cannot_route()
    {
        Assert.Empty(CanaryValidator.Validate(ContractCanary()));
        Assert.Contains(CanaryValidator.Validate(ContractCanary(c => c.Spec.IngressRef = null)),
            e => e.Field == "spec.ingressRef" && e.Reason.Contains("required by provider skipper", StringComparison.Ordinal));
        Assert.Contains(CanaryValidator.Validate(ContractCanary(c => { c.Spec.Analysis!.Iterations = 5; c.Spec.Analysis.Mirror = true; })),
            e => e.Field == "spec.analysis.mirror");
        Assert.Contains(CanaryValidator.Validate(ContractCanary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "c" })),
            e => e.Field == "spec.analysis.sessionAffinity");
        Assert.Contains(CanaryValidator.Validate(ContractCanary(c => c.Spec.Analysis!.Match = [new HttpMatchRequest { Headers = new() { ["x-user"] = new StringMatch { Exact = "insider" } } }])),
            e => e.Field == "spec.analysis.match");
    }
}
