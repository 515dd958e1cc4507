using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests;

public sealed class PatchTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private readonly Kubernetes client = fx.Client;

    private async Task<string> DeploymentAsync(string name = "app")
    {
        var ns = await fx.NamespaceAsync("p");
        var d = Expect.Deployment(name);
        d.Spec.Template.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/etc/config" }];
        d.Spec.Template.Spec.Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg" } }];
        await client.AppsV1.CreateNamespacedDeploymentAsync(d, ns);
        return ns;
    }

    private Task<V1Deployment> StrategicAsync(string ns, string patch, string name = "app") =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, ns);

    [Fact]
    public async Task Merge_patch_sets_and_removes_fields_and_accepts_a_charset_parameter()
    {
        var ns = await fx.NamespaceAsync("p");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "cm", Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } },
            Data = new Dictionary<string, string> { ["x"] = "1" },
        }, ns);
        var (code, body) = await fx.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/cm",
            "{\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"}},\"data\":{\"y\":\"2\"}}", "application/merge-patch+json; charset=utf-8");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("{\"b\":\"2\",\"c\":\"3\"}", body!["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("{\"x\":\"1\",\"y\":\"2\"}", body["data"]!.ToJsonString());

        (code, body) = await fx.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/cm", "{}", "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, code);
        Assert.Equal("UnsupportedMediaType", (string?)body!["reason"]);
    }

    [Fact]
    public async Task A_patch_carrying_a_stale_resourceVersion_is_a_409()
    {
        var ns = await fx.NamespaceAsync("p");
        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, ns);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"a\":\"1\"}}", V1Patch.PatchType.MergePatch), "cm", ns);
        var stale = $"{{\"metadata\":{{\"resourceVersion\":\"{cm.Metadata.ResourceVersion}\"}},\"data\":{{\"a\":\"2\"}}}}";
        var (code, _) = await Expect.FailsAsync(() => client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(stale, V1Patch.PatchType.MergePatch), "cm", ns));
        Assert.Equal(409, code);
    }

    [Fact]
    public async Task Json_patch_applies_operations_in_order_and_a_failed_test_rejects_the_whole_patch()
    {
        var ns = await DeploymentAsync();
        var patch = """
            [
              {"op":"replace","path":"/spec/replicas","value":4},
              {"op":"add","path":"/metadata/annotations","value":{"a/b":"x"}},
              {"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"C","value":"3"}},
              {"op":"remove","path":"/spec/template/spec/containers/1"},
              {"op":"test","path":"/metadata/annotations/a~1b","value":"x"}
            ]
            """;
        var d = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "app", ns);
        Assert.Equal(4, d.Spec.Replicas);
        Assert.Equal("x", d.Metadata.Annotations["a/b"]);
        Assert.Equal(["A", "B", "C"], d.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name).ToArray());
        Assert.Single(d.Spec.Template.Spec.Containers);

        var failing = """[{"op":"replace","path":"/spec/replicas","value":9},{"op":"test","path":"/spec/replicas","value":1}]""";
        var (code, status) = await Expect.FailsAsync(() => client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(failing, V1Patch.PatchType.JsonPatch), "app", ns));
        Assert.Equal(422, code);
        Assert.Contains("/spec/replicas", (string?)status["message"]);
        Assert.Equal(4, (await client.AppsV1.ReadNamespacedDeploymentAsync("app", ns)).Spec.Replicas);

        (code, _) = await Expect.FailsAsync(() => client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""[{"op":"remove","path":"/spec/nothing"}]""", V1Patch.PatchType.JsonPatch), "app", ns));
        Assert.Equal(422, code);
    }

    [Fact]
    public async Task Strategic_merge_merges_containers_env_ports_volumes_and_mounts_by_key()
    {
        var ns = await DeploymentAsync();
        var d = await StrategicAsync(ns, """
            {"spec":{"template":{"spec":{
              "containers":[{"name":"app","image":"podinfo:6.0.1",
                             "env":[{"name":"B","value":"changed"},{"name":"D","value":"4"}],
                             "ports":[{"containerPort":8080,"name":"metrics"}],
                             "volumeMounts":[{"mountPath":"/data","name":"data"}]}],
              "volumes":[{"name":"data","emptyDir":{}}]}}}}
            """);
        var containers = d.Spec.Template.Spec.Containers;
        Assert.Equal(["app", "sidecar"], containers.Select(c => c.Name).ToArray());
        Assert.Equal("podinfo:6.0.1", containers[0].Image);
        Assert.Equal(["A=1", "B=changed", "D=4"], containers[0].Env.Select(e => $"{e.Name}={e.Value}").ToArray());
        Assert.Equal([9898, 8080], containers[0].Ports.Select(p => p.ContainerPort).ToArray());
        Assert.Equal(["/etc/config", "/data"], containers[0].VolumeMounts.Select(m => m.MountPath).ToArray());
        Assert.Equal(["config", "data"], d.Spec.Template.Spec.Volumes.Select(v => v.Name).ToArray());
        Assert.Equal("busybox:1", containers[1].Image);
    }

    [Fact]
    public async Task Strategic_merge_honours_patch_delete_and_replace_directives()
    {
        var ns = await DeploymentAsync();
        var d = await StrategicAsync(ns, """
            {"spec":{"template":{"spec":{"containers":[
              {"name":"app","env":[{"name":"A","$patch":"delete"}]},
              {"name":"sidecar","$patch":"delete"}]}}}}
            """);
        Assert.Equal(["app"], d.Spec.Template.Spec.Containers.Select(c => c.Name).ToArray());
        Assert.Equal(["B"], d.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name).ToArray());

        d = await StrategicAsync(ns, """
            {"spec":{"template":{"spec":{"volumes":[{"$patch":"replace"},{"name":"only","emptyDir":{}}],
              "containers":[{"name":"app","volumeMounts":[{"$patch":"replace"}]}]}}}}
            """);
        Assert.Equal(["only"], d.Spec.Template.Spec.Volumes.Select(v => v.Name).ToArray());
        Assert.True(d.Spec.Template.Spec.Containers[0].VolumeMounts is null || d.Spec.Template.Spec.Containers[0].VolumeMounts.Count == 0);

        d = await StrategicAsync(ns, """{"spec":{"template":{"metadata":{"labels":{"$patch":"replace","app":"app","fresh":"yes"}}}}}""");
        Assert.Equal(2, d.Spec.Template.Metadata.Labels.Count);

        var (code, _) = await Expect.FailsAsync(() => StrategicAsync(ns, """{"spec":{"template":{"metadata":{"labels":{"$patch":"explode"}}}}}"""));
        Assert.Equal(400, code);
    }

    [Fact]
    public async Task Strategic_merge_is_refused_for_custom_resources_with_415()
    {
        var ns = await fx.NamespaceAsync("p");
        var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>(TestCrds.Widget("sim.smp.io").ToJsonString());
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        var w = TestCrds.WidgetObject("w");
        w["apiVersion"] = "sim.smp.io/v1beta1";
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(w, "sim.smp.io", "v1beta1", ns, "widgets");
        var (code, status) = await Expect.FailsAsync(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"size\":1}}", V1Patch.PatchType.StrategicMergePatch), "sim.smp.io", "v1beta1", ns, "widgets", "w"));
        Assert.Equal(415, code);
        Assert.Equal("UnsupportedMediaType", (string?)status["reason"]);
    }

    [Fact]
    public async Task Server_side_apply_creates_tracks_owners_conflicts_forces_and_removes_dropped_fields()
    {
        var ns = await fx.NamespaceAsync("p");
        const string firstYaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cfg
              labels: {owner: alice}
            data:
              shared: "1"
              alice-only: "a"
            """;
        var (created, createdBody) = await fx.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/cfg?fieldManager=alice", firstYaml, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, created);
        Assert.Equal("1", (string?)createdBody!["data"]!["shared"]);
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("cfg", ns);
        Assert.Equal("alice", cm.Metadata.Labels["owner"]);

        const string bob = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"shared":"2","bob":"b"}}""";
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(bob, V1Patch.PatchType.ApplyPatch), "cfg", ns, fieldManager: "bob"));
        Assert.Equal(409, code);
        Assert.Contains("conflict", (string?)status["message"]);
        Assert.Equal(".data.shared", (string?)status["details"]!["causes"]![0]!["field"]);

        cm = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(bob, V1Patch.PatchType.ApplyPatch), "cfg", ns, fieldManager: "bob", force: true);
        Assert.Equal("2", cm.Data["shared"]);
        Assert.Equal("a", cm.Data["alice-only"]);

        // Alice stops applying alice-only (she no longer owns "shared" either): her field goes, bob's stay.
        const string second = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","labels":{"owner":"alice"}},"data":{}}""";
        cm = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(second, V1Patch.PatchType.ApplyPatch), "cfg", ns, fieldManager: "alice");
        Assert.False(cm.Data.ContainsKey("alice-only"));
        Assert.Equal("2", cm.Data["shared"]);
        Assert.Equal("b", cm.Data["bob"]);

        var (missingManager, _) = await fx.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/cfg", bob, "application/apply-patch+yaml; charset=utf-8");
        Assert.Equal(HttpStatusCode.BadRequest, missingManager);
    }

    [Fact]
    public async Task Server_side_apply_merges_containers_by_name()
    {
        var ns = await DeploymentAsync();
        const string apply = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"app"},
             "spec":{"selector":{"matchLabels":{"app":"app"}},"template":{"metadata":{"labels":{"app":"app"}},
             "spec":{"containers":[{"name":"app","image":"podinfo:7.0.0"}]}}}}
            """;
        var d = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(apply, V1Patch.PatchType.ApplyPatch), "app", ns, fieldManager: "ci", force: true);
        Assert.Equal("podinfo:7.0.0", d.Spec.Template.Spec.Containers.Single(c => c.Name == "app").Image);
        Assert.Contains(d.Spec.Template.Spec.Containers, c => c.Name == "sidecar");
        Assert.Equal(2, d.Metadata.Generation);
    }

    [Fact]
    public async Task The_scale_subresource_reads_and_writes_replicas()
    {
        var ns = await DeploymentAsync();
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("app", ns);
        Assert.Equal(1, scale.Spec.Replicas);
        Assert.Equal("app=app", scale.Status.Selector);
        await client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), "app", ns);
        Assert.Equal(3, (await client.AppsV1.ReadNamespacedDeploymentAsync("app", ns)).Spec.Replicas);
        var (code, status) = await Expect.FailsAsync(() => client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":-1}}", V1Patch.PatchType.MergePatch), "app", ns));
        Assert.Equal(422, code);
        Assert.Contains("spec.replicas", (string?)status["message"]);
    }

    [Fact]
    public async Task Strategic_merge_merges_init_containers_by_name_and_service_ports_by_port()
    {
        var ns = await fx.NamespaceAsync("p");
        var d = Expect.Deployment("init");
        d.Spec.Template.Spec.InitContainers = [new V1Container { Name = "migrate", Image = "migrate:1" }, new V1Container { Name = "warm", Image = "warm:1" }];
        await client.AppsV1.CreateNamespacedDeploymentAsync(d, ns);
        var patched = await StrategicAsync(ns, """{"spec":{"template":{"spec":{"initContainers":[{"name":"warm","image":"warm:2"}]}}}}""", "init");
        Assert.Equal(["migrate:1", "warm:2"], patched.Spec.Template.Spec.InitContainers.Select(c => c.Image).ToArray());

        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "svc" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "init" }, Ports = [new V1ServicePort { Name = "http", Port = 80 }, new V1ServicePort { Name = "grpc", Port = 9090 }] },
        }, ns);
        var svc = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("""{"spec":{"ports":[{"port":80,"targetPort":8080}]}}""", V1Patch.PatchType.StrategicMergePatch), "svc", ns);
        Assert.Equal(2, svc.Spec.Ports.Count);
        Assert.Equal("8080", svc.Spec.Ports.Single(p => p.Port == 80).TargetPort.Value);
    }

    [Fact]
    public async Task Delete_collection_removes_only_the_selected_objects()
    {
        var ns = await fx.NamespaceAsync("p");
        foreach (var (name, tier) in new[] { ("a", "x"), ("b", "x"), ("c", "y") })
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["tier"] = tier } } }, ns);
        }

        await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "tier=x");
        Assert.Equal(["c"], (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Select(i => i.Metadata.Name).ToArray());
    }
}
