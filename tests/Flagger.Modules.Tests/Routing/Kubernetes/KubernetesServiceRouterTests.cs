using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Kubernetes;

public sealed class KubernetesServiceRouterTests : ServiceRouterContract
{
    private readonly InMemoryKube _kube = new();

    private protected override IServiceRouter CreateRouter(InMemoryKube kube) => ServiceRouter(kube);

    [Fact]
    public async Task Initialize_creates_the_canary_and_primary_services_exactly_as_upstream()
    {
        var canary = Canary(c => c.Spec.Service!.Canary = new CustomMetadata { Labels = new() { ["tier"] = "canary" }, Annotations = new() { ["a"] = "b" } });

        await ServiceRouter(_kube).InitializeAsync(canary, Target, Ct);

        Assert.Equal([("create", "V1Service", "test", "podinfo-canary"), ("create", "V1Service", "test", "podinfo-primary")], _kube.Writes);
        var canarySvc = _kube.Get<V1Service>("test", "podinfo-canary")!;
        AssertJson("""{"tier":"canary","app":"podinfo-canary"}""", canarySvc.Metadata.Labels);
        AssertJson("""{"a":"b","kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"}""", canarySvc.Metadata.Annotations);
        AssertJson(OwnerRefJson, canarySvc.Metadata.OwnerReferences);
        AssertJson("""
            {"type":"ClusterIP","selector":{"app":"podinfo"},
             "ports":[{"name":"http","protocol":"TCP","port":9898,"targetPort":9898}]}
            """, canarySvc.Spec);
        var primarySvc = _kube.Get<V1Service>("test", "podinfo-primary")!;
        AssertJson("""{"app":"podinfo-primary"}""", primarySvc.Metadata.Labels);
        AssertJson("""{"app":"podinfo-primary"}""", primarySvc.Spec.Selector);
    }

    [Fact]
    public async Task Reconcile_creates_the_apex_service_selecting_the_primary_with_apex_metadata()
    {
        var canary = Canary(c => c.Spec.Service!.Apex = new CustomMetadata { Labels = new() { ["labels-test"] = "x" }, Annotations = new() { ["annotations-test"] = "y" } });

        await ServiceRouter(_kube).ReconcileAsync(canary, Target, Ct);

        var apex = _kube.Get<V1Service>("test", "podinfo")!;
        AssertJson("""{"labels-test":"x","app":"podinfo"}""", apex.Metadata.Labels);
        AssertJson("""{"annotations-test":"y","kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"}""", apex.Metadata.Annotations);
        AssertJson("""{"app":"podinfo-primary"}""", apex.Spec.Selector);
        Assert.Equal([("create", "V1Service", "test", "podinfo")], _kube.Writes);
    }

    [Fact]
    public async Task A_second_initialize_and_reconcile_writes_nothing()
    {
        var canary = Canary(c =>
        {
            c.Spec.Service!.PortDiscovery = true;
            c.Spec.Service.Headless = true;
            c.Spec.Service.TrafficDistribution = "PreferClose";
            c.Spec.Service.Apex = new CustomMetadata { Labels = new() { ["x"] = "y" } };
        });
        var target = new ServiceTarget("app", "podinfo", new Dictionary<string, int> { ["grpc"] = 9999, ["http-metrics"] = 9797 });
        var router = ServiceRouter(_kube);
        await router.InitializeAsync(canary, target, Ct);
        await router.ReconcileAsync(canary, target, Ct);
        foreach (var name in new[] { "podinfo", "podinfo-primary", "podinfo-canary" })
        {
            SimulateServerDefaults(name); // clusterIP(s), ipFamilies, sessionAffinity as the API server fills them in
        }

        _kube.Writes.Clear();

        await router.InitializeAsync(canary, target, Ct);
        await router.ReconcileAsync(canary, target, Ct);

        Assert.Empty(_kube.Writes);
    }

    [Fact]
    public async Task Ports_follow_portName_targetPort_appProtocol_headless_trafficDistribution_and_discovery()
    {
        var canary = Canary(c =>
        {
            c.Spec.Service!.Port = 80;
            c.Spec.Service.PortName = "http-podinfo";
            c.Spec.Service.TargetPort = "http";
            c.Spec.Service.AppProtocol = "http";
            c.Spec.Service.Headless = true;
            c.Spec.Service.TrafficDistribution = "PreferSameZone";
            c.Spec.Service.PortDiscovery = true;
        });
        var target = new ServiceTarget("app.kubernetes.io/name", "podinfo", new Dictionary<string, int> { ["tcp-podinfo-1"] = 9999, ["http-metrics"] = 9797 });

        await ServiceRouter(_kube).InitializeAsync(canary, target, Ct);

        AssertJson("""
            {"type":"ClusterIP","clusterIP":"None","trafficDistribution":"PreferSameZone",
             "selector":{"app.kubernetes.io/name":"podinfo"},
             "ports":[
               {"name":"http-podinfo","protocol":"TCP","port":80,"targetPort":"http","appProtocol":"http"},
               {"name":"http-metrics","protocol":"TCP","port":9797,"targetPort":9797},
               {"name":"tcp-podinfo-1","protocol":"TCP","port":9999,"targetPort":9999}]}
            """, _kube.Get<V1Service>("test", "podinfo-canary")!.Spec);
    }

    [Fact]
    public async Task A_changed_port_name_updates_the_owned_services_once()
    {
        var router = ServiceRouter(_kube);
        await router.InitializeAsync(Canary(), Target, Ct);
        _kube.Writes.Clear();
        var changed = Canary(c => c.Spec.Service!.PortName = "grpc");

        await router.InitializeAsync(changed, Target, Ct);
        await router.InitializeAsync(changed, Target, Ct);

        Assert.Equal([("update", "V1Service", "test", "podinfo-canary"), ("update", "V1Service", "test", "podinfo-primary")], _kube.Writes);
        Assert.Equal("grpc", _kube.Get<V1Service>("test", "podinfo-canary")!.Spec.Ports[0].Name);
    }

    [Fact]
    public async Task Manual_edits_of_owned_services_are_undone_and_apex_metadata_follows_the_canary()
    {
        var router = ServiceRouter(_kube);
        await router.InitializeAsync(Canary(), Target, Ct);
        await router.ReconcileAsync(Canary(), Target, Ct);
        var edited = RoutingConventions.Clone(_kube.Get<V1Service>("test", "podinfo-canary")!);
        edited.Spec.Ports[0].Name = "http2-podinfo";
        edited.Spec.Ports[0].Port = 8080;
        _kube.Seed(edited);
        _kube.Writes.Clear();

        await router.InitializeAsync(Canary(), Target, Ct);
        await router.ReconcileAsync(Canary(c => c.Spec.Service!.Apex = new CustomMetadata { Labels = new() { ["test"] = "test1" }, Annotations = new() { ["test1"] = "test" } }), Target, Ct);

        Assert.Equal([("update", "V1Service", "test", "podinfo-canary"), ("update", "V1Service", "test", "podinfo")], _kube.Writes);
        AssertJson("""[{"name":"http","protocol":"TCP","port":9898,"targetPort":9898}]""", _kube.Get<V1Service>("test", "podinfo-canary")!.Spec.Ports);
        var apex = _kube.Get<V1Service>("test", "podinfo")!;
        AssertJson("""{"test":"test1","app":"podinfo"}""", apex.Metadata.Labels);
        AssertJson("""{"test1":"test","kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled"}""", apex.Metadata.Annotations);
    }

    [Fact]
    public async Task A_users_service_is_taken_over_by_selector_keeping_its_nodeport_and_metadata_and_reverted_on_finalize()
    {
        _kube.Seed(new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test", Labels = new Dictionary<string, string> { ["team"] = "web" } },
            Spec = new V1ServiceSpec
            {
                Type = "NodePort",
                ClusterIP = "10.0.0.12",
                Selector = new Dictionary<string, string> { ["app"] = "podinfo" },
                Ports = [new V1ServicePort { Name = "http", Protocol = "TCP", Port = 9898, TargetPort = 9898, NodePort = 31198 }],
            },
        });
        var router = ServiceRouter(_kube);

        await router.ReconcileAsync(Canary(), Target, Ct);

        var apex = _kube.Get<V1Service>("test", "podinfo")!;
        AssertJson("""
            {"type":"NodePort","clusterIP":"10.0.0.12","selector":{"app":"podinfo-primary"},
             "ports":[{"name":"http","protocol":"TCP","port":9898,"targetPort":9898,"nodePort":31198}]}
            """, apex.Spec);
        AssertJson("""{"team":"web"}""", apex.Metadata.Labels);
        Assert.Null(apex.Metadata.OwnerReferences);
        Assert.Equal("disabled", apex.Metadata.Annotations["kustomize.toolkit.fluxcd.io/reconcile"]);
        Assert.Equal("disabled", apex.Metadata.Annotations["helm.toolkit.fluxcd.io/driftDetection"]);
        AssertJson("""{"selector":{"app":"podinfo"},"ports":[{"name":"http","protocol":"TCP","port":9898,"targetPort":9898,"nodePort":31198}]}""",
            KubernetesJson.Deserialize<object>(apex.Metadata.Annotations["flagger.kubernetes.io/original-configuration"]));

        _kube.Writes.Clear();
        await router.ReconcileAsync(Canary(), Target, Ct);
        Assert.Empty(_kube.Writes);

        await router.FinalizeAsync(Canary(), Target, Ct);

        var reverted = _kube.Get<V1Service>("test", "podinfo")!;
        AssertJson("""{"app":"podinfo"}""", reverted.Spec.Selector);
        Assert.False(reverted.Metadata.Annotations.ContainsKey("flagger.kubernetes.io/original-configuration"));
        Assert.Equal([("update", "V1Service", "test", "podinfo")], _kube.Writes);
    }

    [Fact]
    public async Task Finalize_restores_the_selector_from_kubectls_last_applied_configuration()
    {
        _kube.Seed(new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = "podinfo",
                NamespaceProperty = "test",
                Annotations = new Dictionary<string, string>
                {
                    ["kubectl.kubernetes.io/last-applied-configuration"] =
                        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"podinfo"},"spec":{"selector":{"app.kubernetes.io/name":"podinfo"}}}""",
                },
            },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "podinfo-primary" }, Ports = [new V1ServicePort { Name = "http", Port = 9898 }] },
        });

        await ServiceRouter(_kube).FinalizeAsync(Canary(), Target, Ct);

        AssertJson("""{"app.kubernetes.io/name":"podinfo"}""", _kube.Get<V1Service>("test", "podinfo")!.Spec.Selector);
    }

    [Fact]
    public async Task Finalize_without_any_saved_configuration_points_a_taken_over_apex_at_the_target_pods()
    {
        // A Service taken over by upstream Flagger, which saves nothing: the fallback selects the target's pods.
        _kube.Seed(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "podinfo-primary" },
                Ports = [new V1ServicePort { Name = "http", Protocol = "TCP", Port = 9898, TargetPort = 9898 }],
            },
        });

        await ServiceRouter(_kube).FinalizeAsync(Canary(), Target, Ct);

        AssertJson("""{"app":"podinfo"}""", _kube.Get<V1Service>("test", "podinfo")!.Spec.Selector);
        Assert.Equal([("update", "V1Service", "test", "podinfo")], _kube.Writes);
    }

    [Fact]
    public async Task Finalize_leaves_services_created_by_flagger_to_garbage_collection()
    {
        var router = ServiceRouter(_kube);
        await router.ReconcileAsync(Canary(), Target, Ct);
        _kube.Writes.Clear();

        await router.FinalizeAsync(Canary(), Target, Ct);

        Assert.Empty(_kube.Writes);
        AssertJson("""{"app":"podinfo-primary"}""", _kube.Get<V1Service>("test", "podinfo")!.Spec.Selector);
    }

    [Fact]
    public async Task Owned_services_keep_unmanaged_metadata_and_drop_other_foreign_keys()
    {
        var router = ServiceRouter(_kube);
        var canary = Canary(c => c.Spec.Service!.UnmanagedMetadata = new UnmanagedMetadata { Annotations = ["mesh.io/inject"], Labels = ["cost-center"] });
        await router.ReconcileAsync(canary, Target, Ct);
        var svc = RoutingConventions.Clone(_kube.Get<V1Service>("test", "podinfo")!);
        svc.Metadata.Annotations["mesh.io/inject"] = "enabled";
        svc.Metadata.Annotations["other"] = "x";
        svc.Metadata.Labels["cost-center"] = "42";
        _kube.Seed(svc);

        await router.ReconcileAsync(canary, Target, Ct);

        var updated = _kube.Get<V1Service>("test", "podinfo")!;
        AssertJson("""{"kustomize.toolkit.fluxcd.io/reconcile":"disabled","helm.toolkit.fluxcd.io/driftDetection":"disabled","mesh.io/inject":"enabled"}""", updated.Metadata.Annotations);
        AssertJson("""{"app":"podinfo","cost-center":"42"}""", updated.Metadata.Labels);
    }

    [Fact]
    public async Task Services_owned_by_another_canary_keep_their_metadata()
    {
        _kube.Seed(new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = "podinfo-canary",
                NamespaceProperty = "test",
                Labels = new Dictionary<string, string> { ["owner"] = "other" },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "flagger.app/v1beta1", Kind = "Canary", Name = "other", Uid = "u", Controller = true }],
            },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "podinfo" }, Ports = [new V1ServicePort { Name = "http", Protocol = "TCP", Port = 9898, TargetPort = 9898 }] },
        });

        await ServiceRouter(_kube).InitializeAsync(Canary(), Target, Ct);

        Assert.Equal([("create", "V1Service", "test", "podinfo-primary")], _kube.Writes);
        AssertJson("""{"owner":"other"}""", _kube.Get<V1Service>("test", "podinfo-canary")!.Metadata.Labels);
    }

    [Fact]
    public async Task A_canary_without_a_service_port_is_a_clear_error_naming_the_field()
    {
        var canary = Canary(c => c.Spec.Service!.Port = null);

        var error = await Assert.ThrowsAsync<RoutingException>(() => ServiceRouter(_kube).InitializeAsync(canary, Target, Ct));

        Assert.Contains("spec.service.port", error.Message, StringComparison.Ordinal);
        Assert.Empty(_kube.Writes);
    }

    private void SimulateServerDefaults(string name)
    {
        var svc = RoutingConventions.Clone(_kube.Get<V1Service>("test", name)!);
        svc.Spec.ClusterIP ??= "10.96.0.42";
        svc.Spec.ClusterIPs = [svc.Spec.ClusterIP];
        svc.Spec.IpFamilies = ["IPv4"];
        svc.Spec.IpFamilyPolicy = "SingleStack";
        svc.Spec.SessionAffinity = "None";
        svc.Spec.InternalTrafficPolicy = "Cluster";
        svc.Metadata.CreationTimestamp = DateTime.UtcNow;
        svc.Metadata.Uid = Guid.NewGuid().ToString();
        _kube.Seed(svc);
    }
}
