using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 10 (upstream test/kubernetes/*.sh): the kubernetes provider's blue/green, config tracking, HPA and DaemonSet targets.</summary>
public sealed class S10_KubernetesProviderTests(E2EEnvironment environment)
{
    [Fact]
    public async Task A_config_map_change_alone_starts_a_gated_blue_green_release_that_promotes_the_config_and_clones_the_hpa()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-kubernetes");
        await ns.ApplyAsync($"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: podinfo-config
              namespace: {ns.Name}
            data:
              color: blue
            """);
        await ns.ApplyAsync(ns.Podinfo(extraContainerYaml: """
                      envFrom:
                        - configMapRef:
                            name: podinfo-config
            """));
        await ns.ApplyAsync($"""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: podinfo
              namespace: {ns.Name}
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: podinfo
              minReplicas: 1
              maxReplicas: 4
              metrics:
                - type: Resource
                  resource:
                    name: cpu
                    target:
                      type: Utilization
                      averageUtilization: 99
            """);
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                iterations: 3
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: gate
                    type: confirm-rollout
                    url: {backend.LoadTesterUrl}gate/check
            """, extraSpec: """
              provider: kubernetes
              autoscalerRef:
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                name: podinfo
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var primaryHpa = await ns.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("podinfo-primary", ns.Name);
        Assert.Equal("podinfo-primary", primaryHpa.Spec.ScaleTargetRef.Name);
        Assert.Equal(4, primaryHpa.Spec.MaxReplicas);
        var primaryConfig = await ns.Client.CoreV1.ReadNamespacedConfigMapAsync("podinfo-config-primary", ns.Name);
        Assert.Equal("blue", primaryConfig.Data["color"]);
        var primaryEnv = (await ns.DeploymentAsync("podinfo-primary")).Spec.Template.Spec.Containers[0].EnvFrom;
        Assert.Equal("podinfo-config-primary", primaryEnv[0].ConfigMapRef.Name);
        Assert.Null(await ns.VirtualServiceAsync("podinfo"));

        await ns.Client.CoreV1.PatchNamespacedConfigMapAsync(new k8s.Models.V1Patch("""{"data":{"color":"green"}}""", k8s.Models.V1Patch.PatchType.MergePatch), "podinfo-config", ns.Name);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Waiting);
        Assert.Equal("blue", (await ns.Client.CoreV1.ReadNamespacedConfigMapAsync("podinfo-config-primary", ns.Name)).Data["color"]);
        await backend.PostLoadTesterAsync("gate/open", $$"""{"name":"podinfo","namespace":"{{ns.Name}}"}""", TestContext.Current.CancellationToken);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal("green", (await ns.Client.CoreV1.ReadNamespacedConfigMapAsync("podinfo-config-primary", ns.Name)).Data["color"]);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", events);
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        ns.Report("10a kubernetes blue/green + config + HPA");
    }

    [Fact]
    public async Task A_daemon_set_target_is_released_through_its_primary_copy()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-daemonset");
        await ns.ApplyAsync(ns.Podinfo(name: "podinfo-ds")
            .Replace("kind: Deployment", "kind: DaemonSet", StringComparison.Ordinal)
            .Replace("  replicas: 1\n", "", StringComparison.Ordinal)
            .Replace("  progressDeadlineSeconds: 60\n", "", StringComparison.Ordinal));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo-ds", """
                threshold: 5
                iterations: 2
            """, extraSpec: "  provider: kubernetes", targetKind: "DaemonSet"));
        await ns.WaitForPhaseAsync("podinfo-ds", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo-ds", TestNamespace.Image1, kind: "DaemonSet");

        await ns.WaitForPhaseAsync("podinfo-ds", CanaryPhase.Succeeded);
        var primary = await ns.Client.AppsV1.ReadNamespacedDaemonSetAsync("podinfo-ds-primary", ns.Name);
        Assert.Equal(TestNamespace.Image1, primary.Spec.Template.Spec.Containers[0].Image);
        await ns.WaitUntilAsync(async () => (await ns.Client.AppsV1.ReadNamespacedDaemonSetAsync("podinfo-ds-primary", ns.Name)).Status?.NumberReady == 1, "the primary DaemonSet ready");
        ns.Report("10b DaemonSet");
    }
}
