using System.Text.Json.Nodes;
using Flagger.Simulator.Knative;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic.Routes;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests.Knative;

public sealed class KnativeServingControllerTests(WorkloadFixture fx) : IClassFixture<WorkloadFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }

    private async Task<string> SetUpAsync(string image = "ghcr.io/stefanprodan/podinfo:6.0.0")
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(RepoFile("deploy", "dev", "knative-crds.yaml"), Ct));
        var ns = await fx.NamespaceAsync("knative");
        fx.Cluster.Apply($"""
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: podinfo
              namespace: {ns}
              annotations:
                simulator.flagger.app/rps: "10"
            spec:
              template:
                spec:
                  containers:
                    - image: {image}
                      ports:
                        - containerPort: 9898
            """);
        return ns;
    }

    private Task<JsonNode> ServiceAsync(string ns) => Custom(ns, "services", "podinfo");

    private async Task<JsonNode> Custom(string ns, string plural, string name) =>
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("serving.knative.dev", "v1", ns, plural, name, cancellationToken: Ct)))!;

    private static string TrafficOf(JsonNode service) => string.Join(",", (service["status"]?["traffic"] as JsonArray ?? [])
        .Select(t => $"{(string?)t!["revisionName"]}:{(bool?)t["latestRevision"]}:{(long?)t["percent"]}"));

    [Fact]
    public async Task A_new_service_gets_its_first_revision_a_deployment_a_service_and_all_traffic_once_ready()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Knative.ReconcileAll();

        var ready = await Expect.EventuallyAsync(() => ServiceAsync(ns), s => (string?)s["status"]?["latestReadyRevisionName"] == "podinfo-00001");

        Assert.Equal("podinfo-00001", (string?)ready["status"]!["latestCreatedRevisionName"]);
        Assert.Equal("podinfo-00001:True:100", TrafficOf(ready));
        var deployment = await fx.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-00001-deployment", ns, cancellationToken: Ct);
        Assert.Equal("podinfo-00001", deployment.Spec.Template.Metadata.Labels["app"]);
        Assert.Equal("user-container", deployment.Spec.Template.Spec.Containers[0].Name);
        var revisionService = await fx.Client.CoreV1.ReadNamespacedServiceAsync("podinfo-00001", ns, cancellationToken: Ct);
        Assert.Equal("podinfo-00001", revisionService.Spec.Selector["serving.knative.dev/revision"]);
        var placeholder = await fx.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns, cancellationToken: Ct);
        Assert.Equal("10", placeholder.Metadata.Annotations["simulator.flagger.app/rps"]);
        var revision = await Custom(ns, "revisions", "podinfo-00001");
        Assert.Contains((revision["status"]!["conditions"] as JsonArray)!, c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True");
    }

    [Fact]
    public async Task Only_a_template_change_creates_a_revision_and_spec_traffic_splits_between_revisions()
    {
        var ns = await SetUpAsync();
        await Expect.EventuallyAsync(() => ServiceAsync(ns), s => (string?)s["status"]?["latestReadyRevisionName"] == "podinfo-00001");
        var patch = """[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"ghcr.io/stefanprodan/podinfo:6.0.1"}]""";
        await fx.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "serving.knative.dev", "v1", ns, "services", "podinfo", cancellationToken: Ct);
        await Expect.EventuallyAsync(() => ServiceAsync(ns), s => (string?)s["status"]?["latestReadyRevisionName"] == "podinfo-00002");

        var traffic = """{"spec":{"traffic":[{"latestRevision":true,"percent":30},{"revisionName":"podinfo-00001","latestRevision":false,"percent":70}]}}""";
        await fx.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(traffic, V1Patch.PatchType.MergePatch), "serving.knative.dev", "v1", ns, "services", "podinfo", cancellationToken: Ct);
        var split = await Expect.EventuallyAsync(() => ServiceAsync(ns), s => TrafficOf(s) == "podinfo-00002:True:30,podinfo-00001:False:70");

        fx.Cluster.Knative.ReconcileAll();
        var revisions = await fx.Client.CustomObjects.ListNamespacedCustomObjectAsync("serving.knative.dev", "v1", ns, "revisions", cancellationToken: Ct);
        Assert.Equal(2, JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(revisions))!["items"]!.AsArray().Count);
        Assert.Equal("podinfo-00002", (string?)split["status"]!["latestCreatedRevisionName"]);
        var route = fx.Cluster.Store.Read(() => new KnativeRouteTable().Find(fx.Cluster.Store, ns, "podinfo"));
        Assert.NotNull(route);
        Assert.Equal(
            [("podinfo-00002", 30.0, $"envoy-cluster:{ns}/podinfo-00002"), ("podinfo-00001", 70.0, $"envoy-cluster:{ns}/podinfo-00001")],
            route.Rules.Single().Destinations.Select(d => (d.Service, d.Weight, d.Via)));
        Assert.Null(fx.Cluster.Store.Read(() => new KnativeRouteTable().Find(fx.Cluster.Store, ns, "podinfo-00001")));
    }

    [Fact]
    public void Traffic_naming_a_revision_that_is_not_ready_is_not_programmed()
    {
        var ready = new StoredObject(JsonNode.Parse("""{"metadata":{"name":"p-00001","namespace":"n"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}""")!.AsObject());
        var pending = new StoredObject(JsonNode.Parse("""{"metadata":{"name":"p-00002","namespace":"n"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}}""")!.AsObject());
        var spec = JsonNode.Parse("""[{"latestRevision":true,"percent":10},{"revisionName":"p-00002","percent":90}]""")!.AsArray();

        Assert.Null(KnativeServingController.ResolveTraffic(spec, "p-00001", [ready, pending]));
        Assert.Equal("""[{"revisionName":"p-00001","latestRevision":true,"percent":100}]""",
            KnativeServingController.ResolveTraffic(null, "p-00001", [ready, pending])!.ToJsonString());
    }
}
