using k8s;

namespace Flagger.Simulator.Tests;

public sealed class ManifestTests(SimFixture fx) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task Apply_creates_then_replaces_objects_from_a_multi_document_manifest()
    {
        const string manifest = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: gizmos.sim.manifest.io}
            spec:
              group: sim.manifest.io
              scope: Namespaced
              names: {plural: gizmos, singular: gizmo, kind: Gizmo}
              versions:
              - name: v1
                served: true
                storage: true
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            ---
            apiVersion: sim.manifest.io/v1
            kind: Gizmo
            metadata: {name: g1, namespace: default}
            spec: {size: 1}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: manifest-cm}
            data: {a: "1"}
            """;
        var applied = fx.Cluster.Apply(manifest);
        Assert.Equal(["customresourcedefinition/gizmos.sim.manifest.io", "gizmo/g1", "configmap/manifest-cm"], applied);
        fx.Cluster.Apply(manifest.Replace("a: \"1\"", "a: \"2\"", StringComparison.Ordinal));
        Assert.Equal("2", (await fx.Client.CoreV1.ReadNamespacedConfigMapAsync("manifest-cm", "default")).Data["a"]);
        var gizmo = Expect.Json(await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("sim.manifest.io", "v1", "default", "gizmos", "g1"));
        Assert.Equal(1, (int?)gizmo["spec"]!["size"]);

        var error = Assert.Throws<InvalidOperationException>(() => fx.Cluster.Apply("apiVersion: nope.io/v1\nkind: Thing\nmetadata: {name: t}\n"));
        Assert.Contains("document 0", error.Message);
        Assert.Contains("no such kind", error.Message);
    }

    [Fact]
    public async Task Flaggers_own_CRDs_install_and_default_their_fields()
    {
        if (!File.Exists(TestCrds.FlaggerCrdPath))
        {
            Assert.Skip($"Flagger's CRD reference file is absent ({TestCrds.FlaggerCrdPath})");
        }

        Assert.Equal(3, fx.Cluster.Apply(await File.ReadAllTextAsync(TestCrds.FlaggerCrdPath)).Count);
        var ns = await fx.NamespaceAsync("flg");
        fx.Cluster.Apply($$"""
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata: {name: podinfo, namespace: {{ns}}}
            spec:
              targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
              service: {port: 9898}
              analysis: {interval: 1m, threshold: 5, stepWeight: 10}
            """);
        var canary = Expect.Json(await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("flagger.app", "v1beta1", ns, "canaries", "podinfo"));
        Assert.Equal(9898, (int?)canary["spec"]!["service"]!["port"]);
        Assert.Equal("1m", (string?)canary["spec"]!["analysis"]!["interval"]);
    }
}
