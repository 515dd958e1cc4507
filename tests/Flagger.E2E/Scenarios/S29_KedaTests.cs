using System.Text.Json.Nodes;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 29 (upstream test/keda/test-scaledobject.sh): a Deployment scaled by a KEDA ScaledObject
/// (<c>autoscalerRef</c> kind ScaledObject), blue/green with the kubernetes provider. Initialization creates
/// <c>podinfo-so-primary</c> with the query rewritten for the primary and pauses the target's ScaledObject at zero
/// replicas; the run resumes it (KEDA scales the canary to its maximum under load) and promotion pauses it again.
/// </summary>
public sealed class S29_KedaTests(E2EEnvironment environment)
{
    private const string PausedReplicas = "autoscaling.keda.sh/paused-replicas";

    [Fact]
    public async Task The_primary_scaled_object_scales_the_primary_and_the_target_one_is_paused_between_runs()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("keda", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-keda");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync($$"""
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: podinfo-so
              namespace: {{ns.Name}}
            spec:
              scaleTargetRef:
                name: podinfo
              pollingInterval: 10
              cooldownPeriod: 20
              minReplicaCount: 1
              maxReplicaCount: 3
              triggers:
              - type: prometheus
                metricType: AverageValue
                metadata:
                  serverAddress: {{backend.PrometheusUrl}}
                  metricName: http_requests_total
                  query: sum(rate(http_requests_total{ app="podinfo" }[30s]))
                  threshold: '5'
            """);
        await ns.ApplyAsync($"""
            apiVersion: v1
            kind: Service
            metadata:
              name: podinfo-svc
              namespace: {ns.Name}
            spec:
              type: ClusterIP
              selector:
                app: podinfo
              ports:
                - name: http
                  port: 9898
                  protocol: TCP
                  targetPort: http
            """);
        if (backend is SimulatedBackend simulated)
        {
            // upstream's load test sends 40 req/s to the canary: what the trigger's query reads (threshold 5 → 3 replicas at most)
            simulated.Cluster.Keda.SetMetricValue(ns.Name, "podinfo-so", 40);
        }

        await ns.ApplyAsync($"""
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata:
              name: podinfo
              namespace: {ns.Name}
            spec:
              provider: kubernetes
              targetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: podinfo
              autoscalerRef:
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                name: podinfo-so
              progressDeadlineSeconds: 60
              service:
                port: 80
                targetPort: 9898
                name: podinfo-svc
                portDiscovery: true
                canary:
                  annotations:
                    {Specs.Traffic}
              analysis:
                interval: 1s
                threshold: 10
                iterations: 8
                metrics:
                  - name: request-success-rate
                    interval: 30s
                    thresholdRange:
                      min: 99
                  - name: request-duration
                    interval: 30s
                    thresholdRange:
                      max: 500
            {S28_KnativeTests.LoadTest(backend, $"http://podinfo-svc-canary.{ns.Name}/", "2m", 20)}
            """);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var primarySo = await ScaledObjectAsync(ns, "podinfo-so-primary");
        Assert.NotNull(primarySo);
        Assert.Equal("sum(rate(http_requests_total{ app=\"podinfo-primary\" }[30s]))", (string?)primarySo["spec"]!["triggers"]![0]!["metadata"]!["query"]);
        Assert.Equal("podinfo-primary", (string?)primarySo["spec"]!["scaleTargetRef"]!["name"]);
        Assert.Equal(3, (int?)primarySo["spec"]!["maxReplicaCount"]);
        Assert.Equal("Canary", (string?)primarySo["metadata"]!["ownerReferences"]![0]!["kind"]);
        await ns.WaitUntilAsync(async () => await PausedAsync(ns) == "0", "target ScaledObject paused at 0 replicas");

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitUntilAsync(async () => await PausedAsync(ns) is null, "target ScaledObject autoscaling resumed");
        await ns.WaitUntilAsync(async () => (await ns.DeploymentAsync("podinfo")).Spec.Replicas == 3, "canary scaled up to 3 replicas by KEDA");
        await ns.WaitUntilAsync(async () => await ns.ImageOfAsync("podinfo-primary") == TestNamespace.Image1, "primary promoted to 6.0.1");
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        await ns.WaitUntilAsync(async () => await PausedAsync(ns) == "0", "target ScaledObject paused again");
        await ns.WaitUntilAsync(async () => (await ns.DeploymentAsync("podinfo")).Spec.Replicas == 0, "canary scaled to zero");
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 8/8", await ns.EventMessagesAsync("podinfo"));
        ns.Report("29 keda");
    }

    private static Task<JsonNode?> ScaledObjectAsync(TestNamespace ns, string name) => ns.CustomAsync("keda.sh", "v1alpha1", "scaledobjects", name);

    private static async Task<string?> PausedAsync(TestNamespace ns) =>
        (string?)(await ScaledObjectAsync(ns, "podinfo-so"))?["metadata"]?["annotations"]?[PausedReplicas];
}
