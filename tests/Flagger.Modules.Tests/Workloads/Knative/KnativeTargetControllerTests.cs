using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Shared.Knative;
using k8s;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads.Knative;

public sealed class KnativeTargetControllerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static (InMemoryKube Kube, ITargetController Controller, Canary Canary) Setup(string latest = "podinfo-00001", string? primary = null, string traffic = "")
    {
        var kube = new InMemoryKube();
        var annotations = primary is null ? "" : $$""","annotations":{"flagger.app/primary-revision":"{{primary}}"}""";
        kube.Seed(KubernetesJson.Deserialize<KnativeService>($$$"""
            {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"podinfo","namespace":"default"{{{annotations}}}},
             "spec":{"template":{"spec":{"containers":[{"image":"ghcr.io/stefanprodan/podinfo:6.0.0"}]}}{{{traffic}}}},
             "status":{"latestCreatedRevisionName":"{{{latest}}}"}}
            """));
        var canary = Canary("Service", configure: s =>
        {
            s.TargetRef!.ApiVersion = "serving.knative.dev/v1";
            s.Provider = "knative";
            s.Service = null;
        });
        return (kube, Factory(kube).Factory.Create(canary), canary);
    }

    private static void SeedRevision(InMemoryKube kube, string name, bool ready) =>
        kube.Seed(KubernetesJson.Deserialize<KnativeRevision>($$$"""
            {"metadata":{"name":"{{{name}}}","namespace":"default","generation":1},
             "status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"{{{(ready ? "True" : "Unknown")}}}"}]}}
            """));

    private static KnativeService Service(InMemoryKube kube) => kube.Get<KnativeService>(Ns, "podinfo")!;

    [Fact]
    public async Task Initialize_pins_the_latest_revision_routes_all_traffic_to_it_and_waits_for_it()
    {
        var (kube, controller, canary) = Setup(traffic: ""","traffic":[{"latestRevision":true,"percent":100}]""");
        SeedRevision(kube, "podinfo-00001", ready: false);

        var notReady = await controller.InitializeAsync(canary, Ct);

        Assert.Equal(new Readiness(ReadinessState.NotReady, "Knative Revision podinfo-00001.default is not ready"), notReady);
        var service = Service(kube);
        Assert.Equal("podinfo-00001", service.Metadata.Annotations["flagger.app/primary-revision"]);
        Assert.Equal("""{"traffic":[{"latestRevision":true,"percent":100}]}""", service.Metadata.Annotations["flagger.kubernetes.io/original-configuration"]);
        Assert.Equal("""[{"latestRevision":true,"percent":0},{"revisionName":"podinfo-00001","latestRevision":false,"percent":100}]""", KubernetesJson.Serialize(service.Spec.Traffic));
        Assert.True(service.Spec.Extensions!.ContainsKey("template"));

        SeedRevision(kube, "podinfo-00001", ready: true);
        var writes = kube.Writes.Count;
        Assert.Equal(Readiness.Ready, await controller.InitializeAsync(canary, Ct));
        Assert.Equal(writes, kube.Writes.Count);
    }

    [Fact]
    public async Task Outside_initialization_nothing_is_written()
    {
        var (kube, controller, canary) = Setup();
        canary.Status = new CanaryStatus { Phase = nameof(CanaryPhase.Succeeded) };

        Assert.Equal(Readiness.Ready, await controller.InitializeAsync(canary, Ct));

        Assert.Empty(kube.Writes);
    }

    [Fact]
    public async Task Promotion_moves_the_primary_revision_to_the_latest_created_one()
    {
        var (kube, controller, canary) = Setup(latest: "podinfo-00002", primary: "podinfo-00001");
        SeedRevision(kube, "podinfo-00001", ready: true);
        SeedRevision(kube, "podinfo-00002", ready: false);

        Assert.Equal(Readiness.Ready, await controller.IsPrimaryReadyAsync(canary, Ct));
        Assert.Equal("Knative Revision podinfo-00002.default is not ready", (await controller.IsCanaryReadyAsync(canary, Ct)).Message);
        await controller.PromoteAsync(canary, Ct);

        Assert.Equal("podinfo-00002", Service(kube).Metadata.Annotations["flagger.app/primary-revision"]);
        Assert.Equal("Knative Revision podinfo-00002.default is not ready", (await controller.IsPrimaryReadyAsync(canary, Ct)).Message);
        Assert.False(await controller.IsScaledToZeroAsync(canary, Ct));
        Assert.Equal(("", ""), ((await controller.GetMetadataAsync(canary, Ct)).Label, (await controller.GetMetadataAsync(canary, Ct)).LabelValue));
    }

    [Fact]
    public async Task The_revision_is_the_latest_created_revision_name()
    {
        var (kube, controller, canary) = Setup(latest: "podinfo-00001");
        var first = await controller.GetTargetRevisionAsync(canary, Ct);
        Assert.Equal(first, await controller.GetTargetRevisionAsync(canary, Ct));

        var (_, next, _) = Setup(latest: "podinfo-00002");

        Assert.NotEqual(first, await next.GetTargetRevisionAsync(canary, Ct));
        Assert.Matches("^[0-9a-f]{16}$", first);
        Assert.Null(await controller.GetTrackedConfigsAsync(canary, Ct));
    }

    [Fact]
    public async Task A_missing_knative_service_or_revision_is_reported_as_upstream()
    {
        var (kube, controller, canary) = Setup(primary: "podinfo-00001");
        canary.Spec.TargetRef!.Name = "missing";

        var e = await Assert.ThrowsAsync<WorkloadException>(() => controller.InitializeAsync(canary, Ct));
        Assert.Equal("Knative Service missing.default get query error: services.serving.knative.dev \"missing\" not found", e.Message);

        canary.Spec.TargetRef!.Name = "podinfo";
        Assert.Equal("Knative Revision podinfo-00001.default get query error: revisions.serving.knative.dev \"podinfo-00001\" not found",
            (await controller.IsPrimaryReadyAsync(canary, Ct)).Message);
        Assert.Empty(kube.Writes);
    }
}
