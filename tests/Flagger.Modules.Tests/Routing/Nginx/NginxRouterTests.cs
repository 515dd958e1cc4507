using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Routing.Nginx;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Nginx;

public sealed class NginxRouterTests : TrafficRouterContract
{
    private const string UserIngress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: podinfo
          namespace: test
          labels:
            app: podinfo
          annotations:
            kubernetes.io/ingress.class: nginx
            nginx.ingress.kubernetes.io/canary-weight: "30"
            kubectl.kubernetes.io/last-applied-configuration: "{}"
            custom/annotation: kept
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
              - pathType: Prefix
                path: /other
                backend:
                  service:
                    name: other
                    port:
                      number: 80
        """;

    private const string FluxAnnotations = """
        "kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"
        """;

    private V1Ingress CanaryIngress => Kube.Get<V1Ingress>("test", "podinfo-canary")!;

    protected override string Provider => "nginx";

    private protected override bool LeavesUserObjectUntouched => true;

    protected override void ConfigureContractCanary(Canary canary) =>
        canary.Spec.IngressRef = new LocalObjectReference { ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", Name = "podinfo" };

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube)
    {
        if (kube.Get<V1Ingress>("test", "podinfo") is null)
        {
            kube.Seed(KubernetesYaml.Deserialize<V1Ingress>(UserIngress));
        }

        return Router(kube);
    }

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(KubernetesYaml.Deserialize<V1Ingress>(UserIngress));
        return () => Json(kube.Get<V1Ingress>("test", "podinfo"));
    }

    private static NginxRouter Router(InMemoryKube kube, string prefix = "nginx.ingress.kubernetes.io")
    {
        var store = Store(kube);
        var options = Options.Create(new RoutingOptions { IngressAnnotationsPrefix = prefix });
        return new NginxRouter(store, new RouterObjects(store, options), options, NullLogger<NginxRouter>.Instance);
    }

    private Canary NginxCanary(Action<Canary>? configure = null) => ContractCanary(configure);

    [Fact]
    public async Task Reconcile_creates_the_canary_ingress_as_a_copy_pointing_at_the_canary_service_with_weight_0()
    {
        var router = CreateRouter(Kube);

        await router.ReconcileAsync(NginxCanary(), Ct);

        Assert.Equal([("create", "V1Ingress", "test", "podinfo-canary")], Kube.Writes);
        AssertJson("""
            {"rules":[{"host":"app.example.com","http":{"paths":[
              {"path":"/","pathType":"Prefix","backend":{"service":{"name":"podinfo-canary","port":{"number":80}}}},
              {"path":"/other","pathType":"Prefix","backend":{"service":{"name":"other","port":{"number":80}}}}]}}]}
            """, CanaryIngress.Spec);
        AssertJson($$"""
            {"kubernetes.io/ingress.class":"nginx","custom/annotation":"kept",{{FluxAnnotations}},
             "nginx.ingress.kubernetes.io/canary":"true","nginx.ingress.kubernetes.io/canary-weight":"0"}
            """, CanaryIngress.Metadata.Annotations);
        AssertJson("""{"app":"podinfo"}""", CanaryIngress.Metadata.Labels);
        AssertJson(OwnerRefJson, CanaryIngress.Metadata.OwnerReferences);
        Assert.Equal(new TrafficSplit(100, 0, false), await router.GetRoutesAsync(NginxCanary(), Ct));
    }

    [Fact]
    public async Task Canary_weights_use_the_configured_annotation_prefix()
    {
        Kube.Seed(KubernetesYaml.Deserialize<V1Ingress>(UserIngress));
        var router = Router(Kube, "custom.ingress.kubernetes.io");
        await router.ReconcileAsync(NginxCanary(), Ct);

        await router.SetRoutesAsync(NginxCanary(), new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);

        var annotations = CanaryIngress.Metadata.Annotations;
        Assert.Equal("30", annotations["custom.ingress.kubernetes.io/canary-weight"]);
        Assert.Equal("true", annotations["custom.ingress.kubernetes.io/canary"]);
        // The user's NGINX annotations are copied, other prefixes' canary annotations are not ours to drop.
        Assert.Equal("30", annotations["nginx.ingress.kubernetes.io/canary-weight"]);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(NginxCanary(), Ct));
    }

    [Fact]
    public async Task AB_testing_sets_header_value_pattern_and_cookie_annotations_and_weight_0_removes_them()
    {
        var canary = NginxCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 3;
            c.Spec.Analysis.Match =
            [
                new HttpMatchRequest { Headers = new() { ["x-user"] = new StringMatch { Exact = "insider" } } },
                new HttpMatchRequest { Headers = new() { ["cookie"] = new StringMatch { Exact = "canary" } } },
                new HttpMatchRequest { Headers = new() { ["x-region"] = new StringMatch { Regex = "eu-.*" } } },
            ];
        });
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        AssertJson($$"""
            {"kubernetes.io/ingress.class":"nginx","custom/annotation":"kept",{{FluxAnnotations}},
             "nginx.ingress.kubernetes.io/canary":"true","nginx.ingress.kubernetes.io/canary-weight":"0",
             "nginx.ingress.kubernetes.io/canary-by-cookie":"canary",
             "nginx.ingress.kubernetes.io/canary-by-header":"x-region",
             "nginx.ingress.kubernetes.io/canary-by-header-pattern":"eu-.*"}
            """, CanaryIngress.Metadata.Annotations);
        Assert.Equal(TrafficSplit.AllCanary, await router.GetRoutesAsync(canary, Ct));

        await router.SetRoutesAsync(canary, TrafficSplit.AllPrimary, SessionAffinityCookies.None, Ct);

        AssertJson($$"""
            {"kubernetes.io/ingress.class":"nginx","custom/annotation":"kept",{{FluxAnnotations}},
             "nginx.ingress.kubernetes.io/canary":"true","nginx.ingress.kubernetes.io/canary-weight":"0"}
            """, CanaryIngress.Metadata.Annotations);
        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task AB_testing_on_an_exact_header_writes_its_value()
    {
        var canary = NginxCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 3;
            c.Spec.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-user"] = new StringMatch { Exact = "insider" } } }];
        });
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);

        var annotations = CanaryIngress.Metadata.Annotations;
        Assert.Equal("x-user", annotations["nginx.ingress.kubernetes.io/canary-by-header"]);
        Assert.Equal("insider", annotations["nginx.ingress.kubernetes.io/canary-by-header-value"]);
        Assert.False(annotations.ContainsKey("nginx.ingress.kubernetes.io/canary-by-header-pattern"));
    }

    [Fact]
    public async Task Reconcile_follows_a_changed_user_ingress_and_keeps_the_live_weight()
    {
        var router = CreateRouter(Kube);
        var canary = NginxCanary();
        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(60, 40, false), SessionAffinityCookies.None, Ct);
        var user = Kube.Get<V1Ingress>("test", "podinfo")!;
        user.Spec.Rules[0].Host = "www.example.com";
        Kube.Seed(user);

        await router.ReconcileAsync(canary, Ct);

        Assert.Equal("www.example.com", CanaryIngress.Spec.Rules[0].Host);
        Assert.Equal("podinfo-canary", CanaryIngress.Spec.Rules[0].Http.Paths[0].Backend.Service.Name);
        Assert.Equal(new TrafficSplit(60, 40, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task Reconcile_without_a_backend_for_the_service_names_the_ingress()
    {
        var router = CreateRouter(Kube);
        var canary = NginxCanary(c => c.Spec.Service!.Name = "frontend");

        var e = await Assert.ThrowsAsync<RoutingException>(() => router.ReconcileAsync(canary, Ct));

        Assert.StartsWith("backend frontend not found in ingress podinfo", e.Message, StringComparison.Ordinal);
        Assert.Contains("spec.ingressRef.name", e.Message, StringComparison.Ordinal);
        Assert.Empty(Kube.Writes);
    }

    [Fact]
    public async Task Reconcile_without_the_user_ingress_or_ingress_ref_is_a_routing_exception()
    {
        var router = Router(Kube);

        var missing = await Assert.ThrowsAsync<RoutingException>(() => router.ReconcileAsync(NginxCanary(), Ct));
        var noRef = await Assert.ThrowsAsync<RoutingException>(() => router.ReconcileAsync(NginxCanary(c => c.Spec.IngressRef = null), Ct));

        Assert.Contains("ingress podinfo.test get query error", missing.Message, StringComparison.Ordinal);
        Assert.Contains("spec.ingressRef.name", noRef.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_routes_rejects_a_weight_that_is_not_a_number()
    {
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(NginxCanary(), Ct);
        var ingress = CanaryIngress;
        ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/canary-weight"] = "ten";
        Kube.Seed(ingress);

        var e = await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(NginxCanary(), Ct));

        Assert.Contains("failed to convert ten to int", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_requires_the_ingress_ref_and_rejects_what_nginx_cannot_route()
    {
        Assert.Empty(CanaryValidator.Validate(ContractCanary()));
        Assert.Contains(CanaryValidator.Validate(ContractCanary(c => c.Spec.IngressRef = null)),
            e => e.Field == "spec.ingressRef" && e.Reason.Contains("required by provider nginx", StringComparison.Ordinal));
        Assert.Contains(CanaryValidator.Validate(ContractCanary(c => { c.Spec.Analysis!.Iterations = 5; c.Spec.Analysis.Mirror = true; })),
            e => e.Field == "spec.analysis.mirror");
        Assert.Contains(CanaryValidator.Validate(ContractCanary(c => c.Spec.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "c" })),
            e => e.Field == "spec.analysis.sessionAffinity");
    }
}
