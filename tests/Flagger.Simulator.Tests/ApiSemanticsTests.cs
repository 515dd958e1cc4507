using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests;

public sealed class ApiSemanticsTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private readonly Kubernetes client = fx.Client;

    private static V1ConfigMap ConfigMap(string name, IDictionary<string, string>? labels = null, string value = "v") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = new Dictionary<string, string> { ["key"] = value },
    };

    private async Task InstallAsync(JsonObject crd)
    {
        var typed = KubernetesJson.Deserialize<V1CustomResourceDefinition>(crd.ToJsonString());
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(typed);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Installed by another test of this class.
        }
    }

    [Fact]
    public async Task Creating_an_existing_object_answers_409_AlreadyExists_with_a_Status()
    {
        var ns = await fx.NamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), ns);
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), ns));
        Assert.Equal(409, code);
        Assert.Equal("AlreadyExists", (string?)status["reason"]);
        Assert.Equal("configmaps \"dup\" already exists", (string?)status["message"]);
        Assert.Equal("dup", (string?)status["details"]!["name"]);
    }

    [Fact]
    public async Task Getting_a_missing_object_answers_404_NotFound_naming_it()
    {
        var ns = await fx.NamespaceAsync();
        var (code, status) = await Expect.FailsAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("nope", ns));
        Assert.Equal(404, code);
        Assert.Equal("NotFound", (string?)status["reason"]);
        Assert.Equal("deployments.apps \"nope\" not found", (string?)status["message"]);
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_answers_404()
    {
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), "no-such-ns"));
        Assert.Equal(404, code);
        Assert.Contains("namespaces \"no-such-ns\" not found", (string?)status["message"]);
    }

    [Fact]
    public async Task Label_selectors_support_every_operator()
    {
        var ns = await fx.NamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", new Dictionary<string, string> { ["app"] = "api", ["tier"] = "back" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c", new Dictionary<string, string> { ["app"] = "db" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("d"), ns);

        async Task<string> Names(string selector) =>
            string.Join(",", (await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector)).Items.Select(i => i.Metadata.Name));

        Assert.Equal("a", await Names("app=web"));
        Assert.Equal("a", await Names("app==web"));
        Assert.Equal("b,c,d", await Names("app!=web"));
        Assert.Equal("a,b", await Names("app in (web, api)"));
        Assert.Equal("c,d", await Names("app notin (web,api)"));
        Assert.Equal("a,b", await Names("tier"));
        Assert.Equal("c,d", await Names("!tier"));
        Assert.Equal("b", await Names("app,tier=back"));
        Assert.Equal("a,b,c,d", await Names(""));
    }

    [Fact]
    public async Task A_malformed_label_selector_is_a_400_not_an_empty_list()
    {
        var ns = await fx.NamespaceAsync();
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app in (web"));
        Assert.Equal(400, code);
        Assert.Contains("unable to parse requirement", (string?)status["message"]);
    }

    [Fact]
    public async Task Field_selectors_filter_by_name_and_namespace_and_reject_unknown_fields()
    {
        var ns1 = await fx.NamespaceAsync();
        var ns2 = await fx.NamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("same"), ns1);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("same"), ns2);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("other"), ns2);

        var byName = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=same");
        Assert.Equal(new[] { ns1, ns2 }.Order(), byName.Items.Select(i => i.Metadata.NamespaceProperty).Order());
        var byNs = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: $"metadata.namespace={ns2},metadata.name!=same");
        Assert.Equal("other", Assert.Single(byNs.Items).Metadata.Name);

        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ListNamespacedConfigMapAsync(ns1, fieldSelector: "data.key=v"));
        Assert.Equal(400, code);
        Assert.Equal("field label not supported: data.key", (string?)status["message"]);
    }

    [Fact]
    public async Task Updating_with_a_stale_resourceVersion_answers_409_Conflict()
    {
        var ns = await fx.NamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);
        created.Data["key"] = "first";
        var updated = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", ns);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        created.Data["key"] = "stale";
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", ns));
        Assert.Equal(409, code);
        Assert.Equal("Conflict", (string?)status["reason"]);
        Assert.Contains("the object has been modified", (string?)status["message"]);
        Assert.Equal("first", (await client.CoreV1.ReadNamespacedConfigMapAsync("cm", ns)).Data["key"]);
    }

    [Fact]
    public async Task ResourceVersions_come_from_one_global_increasing_counter()
    {
        var ns = await fx.NamespaceAsync();
        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);
        var secret = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, ns);
        var deploy = await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("d"), ns);
        var rvs = new[] { cm, (IMetadata<V1ObjectMeta>)secret, deploy }.Select(o => long.Parse(o.Metadata.ResourceVersion)).ToArray();
        Assert.True(rvs[0] < rvs[1] && rvs[1] < rvs[2], string.Join(",", rvs));
        var list = await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        Assert.True(long.Parse(list.Metadata.ResourceVersion) >= rvs[2]);
        Assert.Equal("v", System.Text.Encoding.UTF8.GetString(secret.Data["k"]));
    }

    [Fact]
    public async Task Generation_is_bumped_only_when_the_spec_changes()
    {
        var ns = await fx.NamespaceAsync();
        var d = await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("gen"), ns);
        Assert.Equal(1, d.Metadata.Generation);

        d.Metadata.Labels["extra"] = "label";
        d = await client.AppsV1.ReplaceNamespacedDeploymentAsync(d, "gen", ns);
        Assert.Equal(1, d.Metadata.Generation);

        d.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        d = await client.AppsV1.ReplaceNamespacedDeploymentAsync(d, "gen", ns);
        Assert.Equal(2, d.Metadata.Generation);

        var status = new V1Patch("{\"status\":{\"observedGeneration\":2,\"replicas\":7}}", V1Patch.PatchType.MergePatch);
        d = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(status, "gen", ns);
        Assert.Equal(2, d.Metadata.Generation);
    }

    [Fact]
    public async Task Status_is_written_only_through_the_status_subresource_and_spec_is_ignored_there()
    {
        var ns = await fx.NamespaceAsync();
        var d = await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("st", replicas: 0), ns);
        Assert.Null(d.Status?.Replicas);

        d.Status = new V1DeploymentStatus { Replicas = 42 };
        d.Spec.Replicas = 5;
        d = await client.AppsV1.ReplaceNamespacedDeploymentAsync(d, "st", ns);
        Assert.NotEqual(42, d.Status?.Replicas);
        Assert.Equal(5, d.Spec.Replicas);

        d.Status = new V1DeploymentStatus { Replicas = 42, ObservedGeneration = 99 };
        d.Spec.Replicas = 9;
        d = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, "st", ns);
        Assert.Equal(42, d.Status.Replicas);
        Assert.Equal(5, d.Spec.Replicas);
    }

    [Fact]
    public async Task Finalizers_keep_a_deleted_object_with_a_deletionTimestamp_until_they_are_removed()
    {
        var ns = await fx.NamespaceAsync();
        var cm = ConfigMap("fin");
        cm.Metadata.Finalizers = ["sim.test.io/keep"];
        await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("fin", ns);

        var pending = await client.CoreV1.ReadNamespacedConfigMapAsync("fin", ns);
        Assert.NotNull(pending.Metadata.DeletionTimestamp);
        Assert.Equal(["sim.test.io/keep"], pending.Metadata.Finalizers);

        var patch = new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch);
        await client.CoreV1.PatchNamespacedConfigMapAsync(patch, "fin", ns);
        var (code, _) = await Expect.FailsAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("fin", ns));
        Assert.Equal(404, code);
    }

    private async Task<V1ConfigMap> OwnedAsync(string ns, string name, V1ConfigMap owner, params string[] finalizers)
    {
        var cm = ConfigMap(name);
        cm.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, BlockOwnerDeletion = true }];
        cm.Metadata.Finalizers = finalizers.Length > 0 ? finalizers : null;
        return await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
    }

    [Fact]
    public async Task Background_deletion_garbage_collects_dependents()
    {
        var ns = await fx.NamespaceAsync();
        var owner = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns);
        await OwnedAsync(ns, "child-1", owner);
        await OwnedAsync(ns, "child-2", owner);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("unrelated"), ns);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Background");
        var left = await Expect.EventuallyAsync(
            async () => (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Select(i => i.Metadata.Name).ToList(),
            names => names.Count == 1);
        Assert.Equal(["unrelated"], left);
    }

    [Fact]
    public async Task Foreground_deletion_keeps_the_owner_until_its_dependents_are_gone()
    {
        var ns = await fx.NamespaceAsync();
        var owner = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns);
        await OwnedAsync(ns, "child", owner, "sim.test.io/hold");

        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Foreground");
        var pendingOwner = await client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns);
        Assert.NotNull(pendingOwner.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", pendingOwner.Metadata.Finalizers);
        Assert.NotNull((await client.CoreV1.ReadNamespacedConfigMapAsync("child", ns)).Metadata.DeletionTimestamp);

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "child", ns);
        Assert.Empty((await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items);
    }

    [Fact]
    public async Task Orphan_deletion_keeps_dependents_and_drops_their_owner_reference()
    {
        var ns = await fx.NamespaceAsync();
        var owner = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns);
        await OwnedAsync(ns, "child", owner);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Orphan");
        var child = await client.CoreV1.ReadNamespacedConfigMapAsync("child", ns);
        Assert.Null(child.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_contents()
    {
        var ns = await fx.NamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);
        await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("d"), ns);
        await client.CoreV1.DeleteNamespaceAsync(ns);
        Assert.Empty((await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: $"metadata.namespace={ns}")).Items);
        var (code, _) = await Expect.FailsAsync(() => client.CoreV1.ReadNamespaceAsync(ns));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task A_kind_whose_CRD_is_not_installed_answers_404_and_works_once_installed()
    {
        var ns = await fx.NamespaceAsync();
        var vs = new JsonObject
        {
            ["apiVersion"] = "sim.absent.io/v1beta1", ["kind"] = "Widget", ["metadata"] = new JsonObject { ["name"] = "w" },
        };
        var (code, status) = await Expect.FailsAsync(() => client.CustomObjects.ListNamespacedCustomObjectAsync("sim.absent.io", "v1beta1", ns, "widgets"));
        Assert.Equal(404, code);
        Assert.Equal("NotFound", (string?)status["reason"]);

        await InstallAsync(TestCrds.Widget("sim.absent.io"));
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(vs, "sim.absent.io", "v1beta1", ns, "widgets");
        var got = Expect.Json(await client.CustomObjects.GetNamespacedCustomObjectAsync("sim.absent.io", "v1beta1", ns, "widgets", "w"));
        Assert.Equal("Widget", (string?)got["kind"]);

        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.sim.absent.io");
        (code, _) = await Expect.FailsAsync(() => client.CustomObjects.ListNamespacedCustomObjectAsync("sim.absent.io", "v1beta1", ns, "widgets"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Custom_resources_get_schema_defaults_pruning_and_validation_naming_the_field()
    {
        await InstallAsync(TestCrds.Widget());
        var ns = await fx.NamespaceAsync();
        var created = Expect.Json(await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            TestCrds.WidgetObject("w", new { interval = "1m", unknownField = "x", analysis = new { }, free = new { anything = 1 } }),
            "sim.test.io", "v1beta1", ns, "widgets"));
        var spec = created["spec"]!;
        Assert.Equal(3, (int?)spec["size"]);
        Assert.Equal("blue", (string?)spec["color"]);
        Assert.Equal(5, (int?)spec["analysis"]!["threshold"]);
        Assert.Null(spec["unknownField"]);
        Assert.Equal(1, (int?)spec["free"]!["anything"]);
        Assert.Equal(1, (long?)created["metadata"]!["generation"]);

        var (code, status) = await Expect.FailsAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(
            TestCrds.WidgetObject("bad", new { interval = 5 }), "sim.test.io", "v1beta1", ns, "widgets"));
        Assert.Equal(422, code);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Contains("spec.interval", (string?)status["message"]);
        Assert.Equal("spec.interval", (string?)status["details"]!["causes"]![0]!["field"]);

        (code, status) = await Expect.FailsAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(
            TestCrds.WidgetObject("bad2", new { color = "pink" }), "sim.test.io", "v1beta1", ns, "widgets"));
        Assert.Equal(422, code);
        Assert.Contains("spec.color", (string?)status["message"]);
    }

    [Fact]
    public async Task Custom_resource_status_subresource_separates_spec_and_status()
    {
        await InstallAsync(TestCrds.Widget());
        var ns = await fx.NamespaceAsync();
        var w = TestCrds.WidgetObject("w", new { size = 1 });
        w["status"] = new JsonObject { ["phase"] = "Ignored" };
        var created = Expect.Json(await client.CustomObjects.CreateNamespacedCustomObjectAsync(w, "sim.test.io", "v1beta1", ns, "widgets"));
        Assert.Null(created["status"]);

        var statusPatch = new V1Patch("{\"spec\":{\"size\":9},\"status\":{\"phase\":\"Progressing\"}}", V1Patch.PatchType.MergePatch);
        var afterStatus = Expect.Json(await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(statusPatch, "sim.test.io", "v1beta1", ns, "widgets", "w"));
        Assert.Equal("Progressing", (string?)afterStatus["status"]!["phase"]);
        Assert.Equal(1, (int?)afterStatus["spec"]!["size"]);
        Assert.Equal(1, (long?)afterStatus["metadata"]!["generation"]);

        var mainPatch = new V1Patch("{\"spec\":{\"size\":2},\"status\":{\"phase\":\"Failed\"}}", V1Patch.PatchType.MergePatch);
        var afterMain = Expect.Json(await client.CustomObjects.PatchNamespacedCustomObjectAsync(mainPatch, "sim.test.io", "v1beta1", ns, "widgets", "w"));
        Assert.Equal("Progressing", (string?)afterMain["status"]!["phase"]);
        Assert.Equal(2, (int?)afterMain["spec"]!["size"]);
        Assert.Equal(2, (long?)afterMain["metadata"]!["generation"]);
    }

    [Fact]
    public async Task Every_served_version_is_readable_with_its_own_apiVersion()
    {
        await InstallAsync(TestCrds.Widget());
        var ns = await fx.NamespaceAsync();
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(TestCrds.WidgetObject("w"), "sim.test.io", "v1beta1", ns, "widgets");
        var alpha = Expect.Json(await client.CustomObjects.GetNamespacedCustomObjectAsync("sim.test.io", "v1alpha1", ns, "widgets", "w"));
        Assert.Equal("sim.test.io/v1alpha1", (string?)alpha["apiVersion"]);
        var (code, _) = await Expect.FailsAsync(() => client.CustomObjects.GetNamespacedCustomObjectAsync("sim.test.io", "v2", ns, "widgets", "w"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Cluster_scoped_custom_resources_have_no_namespace_and_no_status_subresource()
    {
        await InstallAsync(TestCrds.Gadget());
        var g = new JsonObject
        {
            ["apiVersion"] = "sim.test.io/v1", ["kind"] = "Gadget", ["metadata"] = new JsonObject { ["name"] = "g1" },
            ["spec"] = new JsonObject { ["a"] = 1 }, ["status"] = new JsonObject { ["kept"] = true },
        };
        var created = Expect.Json(await client.CustomObjects.CreateClusterCustomObjectAsync(g, "sim.test.io", "v1", "gadgets"));
        Assert.Null(created["metadata"]!["namespace"]);
        Assert.True((bool?)created["status"]!["kept"]);
        var (code, _) = await fx.SendAsync(HttpMethod.Get, "/apis/sim.test.io/v1/namespaces/default/gadgets/g1");
        Assert.Equal(HttpStatusCode.NotFound, code);
        (code, _) = await fx.SendAsync(HttpMethod.Get, "/apis/sim.test.io/v1/gadgets/g1/status");
        Assert.Equal(HttpStatusCode.NotFound, code);
    }

    [Fact]
    public async Task Tables_carry_the_CRD_printer_columns()
    {
        await InstallAsync(TestCrds.Widget());
        var ns = await fx.NamespaceAsync();
        var w = TestCrds.WidgetObject("w", new { size = 4, color = "red" });
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(w, "sim.test.io", "v1beta1", ns, "widgets");
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"phase\":\"Ready\",\"conditions\":[{\"type\":\"Other\",\"status\":\"False\"},{\"type\":\"Ready\",\"status\":\"True\"}]}}", V1Patch.PatchType.MergePatch),
            "sim.test.io", "v1beta1", ns, "widgets", "w");
        var (code, table) = await fx.SendAsync(HttpMethod.Get, $"/apis/sim.test.io/v1beta1/namespaces/{ns}/widgets",
            accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Table", (string?)table!["kind"]);
        var columns = table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]).ToArray();
        Assert.Equal(["Name", "Phase", "Size", "Ready", "Color"], columns);
        Assert.Equal(1, (int?)table["columnDefinitions"]![4]!["priority"]);
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("w", (string?)cells[0]);
        Assert.Equal("Ready", (string?)cells[1]);
        Assert.Equal(4, (int?)cells[2]);
        Assert.Equal("True", (string?)cells[3]);
        Assert.Equal("red", (string?)cells[4]);
    }

    [Fact]
    public async Task Malformed_bodies_answer_400_with_the_parse_error()
    {
        var ns = await fx.NamespaceAsync();
        var (code, body) = await fx.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\": {\"name\": ");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("BadRequest", (string?)body!["reason"]);
        Assert.Contains("could not be decoded as JSON", (string?)body["message"]);

        (code, body) = await fx.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/x?fieldManager=t", "a: [b\n c: {", "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("yaml", (string?)body!["message"]);

        (code, body) = await fx.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"k\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("kind", (string?)body!["message"]);

        (code, body) = await fx.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "[1,2]");
        Assert.Equal(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Invalid_deployments_answer_422_naming_the_field()
    {
        var ns = await fx.NamespaceAsync();
        var d = Expect.Deployment("bad");
        d.Spec.Template.Metadata.Labels = new Dictionary<string, string> { ["app"] = "other" };
        var (code, status) = await Expect.FailsAsync(() => client.AppsV1.CreateNamespacedDeploymentAsync(d, ns));
        Assert.Equal(422, code);
        Assert.Equal("spec.template.metadata.labels", (string?)status["details"]!["causes"]![0]!["field"]);

        await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("good"), ns);
        var change = new V1Patch("{\"spec\":{\"selector\":{\"matchLabels\":{\"extra\":\"x\"}},\"template\":{\"metadata\":{\"labels\":{\"extra\":\"x\"}}}}}", V1Patch.PatchType.MergePatch);
        (code, status) = await Expect.FailsAsync(() => client.AppsV1.PatchNamespacedDeploymentAsync(change, "good", ns));
        Assert.Equal(422, code);
        Assert.Contains("spec.selector", (string?)status["message"]);
        Assert.Contains("immutable", (string?)status["message"]);
    }

    [Fact]
    public async Task Services_get_a_cluster_IP_that_is_kept_on_update_and_immutable()
    {
        var ns = await fx.NamespaceAsync();
        var svc = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "s" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "s" }, Ports = [new V1ServicePort { Port = 80, Name = "http" }] },
        }, ns);
        Assert.StartsWith("10.96.", svc.Spec.ClusterIP);
        Assert.Equal("80", svc.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("TCP", svc.Spec.Ports[0].Protocol);
        var ip = svc.Spec.ClusterIP;
        svc.Spec.ClusterIP = null;
        svc.Spec.ClusterIPs = null;
        svc = await client.CoreV1.ReplaceNamespacedServiceAsync(svc, "s", ns);
        Assert.Equal(ip, svc.Spec.ClusterIP);
        svc.Spec.ClusterIP = "10.96.200.200";
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ReplaceNamespacedServiceAsync(svc, "s", ns));
        Assert.Equal(422, code);
        Assert.Contains("spec.clusterIP", (string?)status["message"]);
    }

    [Fact]
    public async Task Leases_events_hpas_and_daemonsets_are_served_and_pods_list_empty()
    {
        var ns = await fx.NamespaceAsync();
        var lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "leader" }, Spec = new V1LeaseSpec { HolderIdentity = "me", LeaseDurationSeconds = 15 } }, ns);
        lease.Spec.HolderIdentity = "you";
        lease = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", ns);
        Assert.Equal("you", lease.Spec.HolderIdentity);

        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "e1" },
            InvolvedObject = new V1ObjectReference { Kind = "Canary", Name = "podinfo", NamespaceProperty = ns },
            Reason = "Synced", Message = "hello", Type = "Normal",
        }, ns);
        var events = await client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=podinfo,involvedObject.kind=Canary");
        Assert.Equal("hello", Assert.Single(events.Items).Message);

        await client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(new V2HorizontalPodAutoscaler
        {
            Metadata = new V1ObjectMeta { Name = "h" },
            Spec = new V2HorizontalPodAutoscalerSpec { MaxReplicas = 4, ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "d" } },
        }, ns);
        Assert.Single((await client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns)).Items);

        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync(ns)).Items);
    }

    [Fact]
    public async Task Lists_page_with_limit_and_continue()
    {
        var ns = await fx.NamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"cm-{i}"), ns);
        }

        var first = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2);
        Assert.Equal(["cm-0", "cm-1"], first.Items.Select(i => i.Metadata.Name).ToArray());
        Assert.Equal(3, first.Metadata.RemainingItemCount);
        var second = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: first.Metadata.ContinueProperty);
        Assert.Equal(["cm-2", "cm-3"], second.Items.Select(i => i.Metadata.Name).ToArray());
        var last = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: second.Metadata.ContinueProperty);
        Assert.Equal(["cm-4"], last.Items.Select(i => i.Metadata.Name).ToArray());
        Assert.Null(last.Metadata.ContinueProperty);
        Assert.Equal(first.Metadata.ResourceVersion, last.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Continue_pages_come_from_the_first_pages_snapshot_and_a_forged_snapshot_is_410_with_an_inconsistent_token()
    {
        var ns = await fx.NamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"cm-{i}"), ns);
        }

        var first = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("cm-3", ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm-5"), ns);
        var changed = await client.CoreV1.ReadNamespacedConfigMapAsync("cm-2", ns);
        changed.Data = new Dictionary<string, string> { ["after"] = "first page" };
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(changed, "cm-2", ns);

        var second = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: first.Metadata.ContinueProperty);
        Assert.Equal(["cm-2", "cm-3"], second.Items.Select(i => i.Metadata.Name).ToArray());
        Assert.False(second.Items[0].Data?.ContainsKey("after") ?? false);
        var last = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: second.Metadata.ContinueProperty);
        Assert.Equal(["cm-4"], last.Items.Select(i => i.Metadata.Name).ToArray());

        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(first.Metadata.ContinueProperty));
        var parts = decoded.Split('|');
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{parts[0]}|{Guid.NewGuid():N}|{parts[2]}"));
        var (code, body) = await fx.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?limit=2&continue={Uri.EscapeDataString(forged)}");
        Assert.Equal(HttpStatusCode.Gone, code);
        Assert.Equal("Expired", (string?)body!["reason"]);
        var inconsistent = (string)body["metadata"]!["continue"]!;
        var current = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 10, continueParameter: inconsistent);
        Assert.Equal(["cm-2", "cm-4", "cm-5"], current.Items.Select(i => i.Metadata.Name).ToArray());
    }

    [Fact]
    public async Task Creating_a_copy_that_still_carries_a_resourceVersion_is_rejected()
    {
        var ns = await fx.NamespaceAsync();
        var original = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("orig"), ns);
        original.Metadata.Name = "copy";
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.CreateNamespacedConfigMapAsync(original, ns));
        Assert.Equal(400, code);
        Assert.Contains("resourceVersion should not be set", (string?)status["message"]);
    }

    [Fact]
    public async Task An_update_with_another_objects_uid_is_a_conflict()
    {
        var ns = await fx.NamespaceAsync();
        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("u"), ns);
        cm.Metadata.Uid = Guid.NewGuid().ToString();
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "u", ns));
        Assert.Equal(409, code);
        Assert.Contains("Precondition failed: UID", (string?)status["message"]);
    }

    [Fact]
    public async Task No_finalizer_can_be_added_once_deletion_started()
    {
        var ns = await fx.NamespaceAsync();
        var cm = ConfigMap("f");
        cm.Metadata.Finalizers = ["a/one"];
        await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("f", ns);
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("{\"metadata\":{\"finalizers\":[\"a/one\",\"b/two\"]}}", V1Patch.PatchType.MergePatch), "f", ns));
        Assert.Equal(422, code);
        Assert.Contains("no new finalizers", (string?)status["message"]);
    }

    [Fact]
    public async Task Dry_runs_validate_and_answer_but_change_nothing()
    {
        var ns = await fx.NamespaceAsync();
        var rvBefore = fx.Cluster.Store.CurrentResourceVersion;
        var preview = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dry"), ns, dryRun: "All");
        Assert.Equal("dry", preview.Metadata.Name);
        var (code, _) = await Expect.FailsAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("dry", ns));
        Assert.Equal(404, code);

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("real"), ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("real", ns, dryRun: "All");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"key\":\"changed\"}}", V1Patch.PatchType.MergePatch), "real", ns, dryRun: "All");
        var still = await client.CoreV1.ReadNamespacedConfigMapAsync("real", ns);
        Assert.Equal("v", still.Data["key"]);
        Assert.Equal(rvBefore + 1, long.Parse(still.Metadata.ResourceVersion));

        var bad = Expect.Deployment("bad");
        bad.Spec.Template.Metadata.Labels = new Dictionary<string, string> { ["other"] = "x" };
        (code, _) = await Expect.FailsAsync(() => client.AppsV1.CreateNamespacedDeploymentAsync(bad, ns, dryRun: "All"));
        Assert.Equal(422, code);
    }

    [Fact]
    public async Task Strict_field_validation_rejects_unknown_custom_resource_fields_that_are_otherwise_pruned()
    {
        await InstallAsync(TestCrds.Widget());
        var ns = await fx.NamespaceAsync();
        var (code, status) = await Expect.FailsAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(
            TestCrds.WidgetObject("w", new { sise = 3 }), "sim.test.io", "v1beta1", ns, "widgets", fieldValidation: "Strict"));
        Assert.Equal(400, code);
        Assert.Contains("unknown field \"spec.sise\"", (string?)status["message"]);

        var pruned = Expect.Json(await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            TestCrds.WidgetObject("w", new { sise = 3 }), "sim.test.io", "v1beta1", ns, "widgets"));
        Assert.Null(pruned["spec"]!["sise"]);
    }

    [Fact]
    public async Task Custom_resources_refuse_unconditional_updates_but_accept_patches()
    {
        await InstallAsync(TestCrds.Widget());
        var ns = await fx.NamespaceAsync();
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(TestCrds.WidgetObject("w", new { size = 1 }), "sim.test.io", "v1beta1", ns, "widgets");
        var (code, status) = await Expect.FailsAsync(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(
            TestCrds.WidgetObject("w", new { size = 2 }), "sim.test.io", "v1beta1", ns, "widgets", "w"));
        Assert.Equal(422, code);
        Assert.Contains("metadata.resourceVersion", (string?)status["message"]);

        var current = Expect.Json(await client.CustomObjects.GetNamespacedCustomObjectAsync("sim.test.io", "v1beta1", ns, "widgets", "w"));
        current["spec"]!["size"] = 2;
        var replaced = Expect.Json(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(current, "sim.test.io", "v1beta1", ns, "widgets", "w"));
        Assert.Equal(2, (int?)replaced["spec"]!["size"]);
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"spec\":{\"size\":3}}", V1Patch.PatchType.MergePatch), "sim.test.io", "v1beta1", ns, "widgets", "w");
    }
}
