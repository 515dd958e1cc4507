using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Knative;
using Flagger.Modules.Shared.Knative;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Knative;

/// <summary>
/// The knative router against a Knative Service whose <c>status.traffic</c> follows its <c>spec.traffic</c> at once (a
/// test stand-in for Knative's route controller; the latest revision is <c>podinfo-00002</c>).
/// </summary>
public sealed class KnativeRouterTests : TrafficRouterContract
{
    private const string Latest = "podinfo-00002";

    protected override string Provider => "knative";

    private KnativeService Ksvc => Kube.Get<KnativeService>("test", "podinfo")!;

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube)
    {
        if (kube.Get<KnativeService>("test", "podinfo") is null)
        {
            kube.Seed(KnativeServiceWith(traffic: null));
        }

        kube.Changed += change =>
        {
            if (change.Kind.Group == KnativeService.Group && kube.Get<KnativeService>(change.Namespace, change.Name) is { } service)
            {
                ProgramRoute(kube, service);
            }
        };
        ProgramRoute(kube, kube.Get<KnativeService>("test", "podinfo")!);
        return new KnativeRouter(Store(kube), NullLogger<KnativeRouter>.Instance);
    }

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(KnativeServiceWith("""[{"latestRevision":true,"percent":100}]"""));
        return () => Json(kube.Get<KnativeService>("test", "podinfo")!.Spec.Traffic);
    }

    [Fact]
    public async Task Reconcile_pins_the_latest_created_revision_as_primary_and_keeps_the_users_traffic()
    {
        var router = CreateRouter(Kube);

        await router.ReconcileAsync(ContractCanary(), Ct);

        Assert.Equal(Latest, Ksvc.Metadata.Annotations["flagger.app/primary-revision"]);
        Assert.Equal("{}", Ksvc.Metadata.Annotations["flagger.kubernetes.io/original-configuration"]);
        Assert.Null(Ksvc.Spec.Traffic);
    }

    [Fact]
    public async Task Reconcile_never_moves_an_existing_primary_revision()
    {
        Kube.Seed(KnativeServiceWith(traffic: null, primary: "podinfo-00001"));
        var router = CreateRouter(Kube);
        var writes = Kube.Writes.Count;

        await router.ReconcileAsync(ContractCanary(), Ct);

        Assert.Equal(writes, Kube.Writes.Count);
        Assert.Equal("podinfo-00001", Ksvc.Metadata.Annotations["flagger.app/primary-revision"]);
    }

    [Fact]
    public async Task Set_routes_splits_spec_traffic_between_the_latest_revision_and_the_primary_revision()
    {
        Kube.Seed(KnativeServiceWith(traffic: null, primary: "podinfo-00001"));
        var router = CreateRouter(Kube);

        await router.SetRoutesAsync(ContractCanary(), new TrafficSplit(70, 30, false), SessionAffinityCookies.None, Ct);

        AssertJson("""
            [{"latestRevision":true,"percent":30},{"revisionName":"podinfo-00001","latestRevision":false,"percent":70}]
            """, Ksvc.Spec.Traffic);
        Assert.Equal(new TrafficSplit(70, 30, false), await router.GetRoutesAsync(ContractCanary(), Ct));
    }

    [Fact]
    public async Task Get_routes_reads_status_traffic_not_spec_traffic()
    {
        var service = KnativeServiceWith("""[{"latestRevision":true,"percent":50},{"revisionName":"podinfo-00001","percent":50}]""", primary: "podinfo-00001");
        service.Status!.Traffic = KubernetesJson.Deserialize<List<KnativeTrafficTarget>>("""
            [{"revisionName":"podinfo-00002","latestRevision":true,"percent":20},{"revisionName":"podinfo-00001","latestRevision":false,"percent":80}]
            """);
        Kube.Seed(service);
        var router = new KnativeRouter(Store(Kube), NullLogger<KnativeRouter>.Instance);

        Assert.Equal(new TrafficSplit(80, 20, false), await router.GetRoutesAsync(ContractCanary(), Ct));
    }

    [Theory]
    [InlineData(null, """[{"revisionName":"podinfo-00001","latestRevision":true,"percent":100}]""", "service podinfo.test annotation not found")]
    [InlineData("podinfo-00001", """[{"revisionName":"podinfo-00002","latestRevision":true,"percent":100}]""", "Knative Service podinfo.test traffic spec invalid")]
    [InlineData("podinfo-00001", """[{"revisionName":"podinfo-00002","latestRevision":true},{"revisionName":"podinfo-00001","percent":100}]""", "Knative Service podinfo.test canary revision traffic percent does not exist")]
    public async Task Get_routes_reports_what_is_missing_as_upstream(string? primary, string statusTraffic, string message)
    {
        var service = KnativeServiceWith(traffic: null, primary: primary);
        service.Status!.Traffic = KubernetesJson.Deserialize<List<KnativeTrafficTarget>>(statusTraffic);
        Kube.Seed(service);
        var router = new KnativeRouter(Store(Kube), NullLogger<KnativeRouter>.Instance);

        var error = await Assert.ThrowsAsync<RoutingException>(() => router.GetRoutesAsync(ContractCanary(), Ct));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task A_missing_knative_service_is_a_routing_error_naming_it()
    {
        var router = new KnativeRouter(Store(Kube), NullLogger<KnativeRouter>.Instance);

        var error = await Assert.ThrowsAsync<RoutingException>(() => router.ReconcileAsync(ContractCanary(), Ct));

        Assert.Equal("Knative Service podinfo.test get query error: services.serving.knative.dev \"podinfo\" not found", error.Message);
    }

    [Fact]
    public async Task Finalize_removes_the_annotations_and_gives_the_service_its_traffic_back()
    {
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(ContractCanary(), Ct);
        await router.SetRoutesAsync(ContractCanary(), TrafficSplit.AllPrimary, SessionAffinityCookies.None, Ct);

        await router.FinalizeAsync(ContractCanary(), Ct);

        Assert.False(Ksvc.Metadata.Annotations?.ContainsKey("flagger.app/primary-revision") ?? false);
        Assert.False(Ksvc.Metadata.Annotations?.ContainsKey("flagger.kubernetes.io/original-configuration") ?? false);
        Assert.Null(Ksvc.Spec.Traffic);
        var writes = Kube.Writes.Count;
        await router.FinalizeAsync(ContractCanary(), Ct);
        Assert.Equal(writes, Kube.Writes.Count);
    }

    private static KnativeService KnativeServiceWith(string? traffic, string? primary = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "podinfo",
            NamespaceProperty = "test",
            Annotations = primary is null ? null : new Dictionary<string, string> { ["flagger.app/primary-revision"] = primary },
        },
        Spec = KubernetesJson.Deserialize<KnativeServiceSpec>(
            "{\"template\":{\"spec\":{\"containers\":[{\"image\":\"ghcr.io/stefanprodan/podinfo:6.0.1\"}]}}" + (traffic is null ? "" : ",\"traffic\":" + traffic) + "}"),
        Status = new KnativeServiceStatus { LatestCreatedRevisionName = Latest },
    };

    /// <summary>What Knative's route controller does: <c>status.traffic</c> from <c>spec.traffic</c>, the latest revision resolved.</summary>
    private static void ProgramRoute(InMemoryKube kube, KnativeService service)
    {
        var spec = service.Spec.Traffic ?? [new KnativeTrafficTarget { LatestRevision = true, Percent = 100 }];
        var programmed = spec.Select(t => new KnativeTrafficTarget
        {
            RevisionName = t.LatestRevision == true ? service.Status?.LatestCreatedRevisionName : t.RevisionName,
            LatestRevision = t.LatestRevision == true,
            Percent = t.Percent,
        }).ToList();
        if (JsonNode.DeepEquals(Json(programmed), Json(service.Status?.Traffic)))
        {
            return;
        }

        var updated = KubernetesJson.Deserialize<KnativeService>(KubernetesJson.Serialize(service));
        updated.Status ??= new KnativeServiceStatus();
        updated.Status.Traffic = programmed;
        kube.Seed(updated);
    }
}
