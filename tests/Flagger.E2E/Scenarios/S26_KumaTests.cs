using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;
using k8s;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 26 (upstream test/kuma/test-canary.sh): a <c>kuma</c> canary in mesh <c>default</c> routes through the
/// cluster-scoped TrafficRoute <c>podinfo</c>, is promoted on the builtin metrics (Kuma's Envoy series with the
/// dataplane's <c>service</c> tag, legacy thresholds 99 and 500), then a version answering errors is rolled back.
/// </summary>
public sealed class S26_KumaTests(E2EEnvironment environment)
{
    private static string Canary(string ns, int threshold, string webhooks) => Specs.Canary(ns, "podinfo", $"""
                threshold: {threshold}
                maxWeight: 50
                stepWeight: 10
                metrics:
                  - name: request-success-rate
                    threshold: 99
                    interval: 30s
                  - name: request-duration
                    threshold: 500
                    interval: 30s
                webhooks:
            {webhooks}
            """, extraSpec: "  provider: kuma")
        .Replace($"  namespace: {ns}\n", $"  namespace: {ns}\n  annotations:\n    kuma.io/mesh: default\n", StringComparison.Ordinal)
        .Replace("    apex:\n      annotations:\n", "    apex:\n      annotations:\n        9898.service.kuma.io/protocol: \"http\"\n", StringComparison.Ordinal);

    [Fact]
    public async Task A_kuma_canary_is_promoted_through_its_traffic_route_and_a_failing_version_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("kuma", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-kuma");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Canary(ns.Name, 15, backend.TrafficWebhooks(ns.Name, "podinfo", "      ")));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // upstream: the apex Service selects the primary
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var route = await TrafficRouteAsync(ns);
        Assert.Equal("default", (string?)route["mesh"]);
        Assert.Null(route["metadata"]!["namespace"]);
        Assert.Null(route["metadata"]!["ownerReferences"]);
        Assert.Equal("http", (string?)route["metadata"]!["annotations"]!["9898.service.kuma.io/protocol"]);
        Assert.Equal($"podinfo_{ns.Name}_svc_9898", (string?)route["spec"]!["destinations"]![0]!["match"]!["kuma.io/service"]);
        Assert.Equal([$"podinfo-primary_{ns.Name}_svc_9898=100", $"podinfo-canary_{ns.Name}_svc_9898=0"], Split(route));

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 50, "canary weight 50");
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 50", events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        Assert.Equal([$"podinfo-primary_{ns.Name}_svc_9898=100", $"podinfo-canary_{ns.Name}_svc_9898=0"], Split(await TrafficRouteAsync(ns)));
        Assert.True(await ns.QueryAsync($"sum(envoy_cluster_upstream_rq{{service=\"podinfo-canary_{ns.Name}_svc_9898\"}})") > 0);

        // upstream rollback: threshold 5, the load test hits /status/500 (on the simulator the new version fails 30%)
        await ns.ApplyAsync(Canary(ns.Name, 5, backend.TrafficWebhooks(ns.Name, "podinfo", "      ", path: "/status/500")));
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image2);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 5", await ns.EventMessagesAsync("podinfo"));
        Assert.Equal([$"podinfo-primary_{ns.Name}_svc_9898=100", $"podinfo-canary_{ns.Name}_svc_9898=0"], Split(await TrafficRouteAsync(ns)));
        ns.Report("26 kuma canary and rollback");
    }

    private static async Task<JsonNode> TrafficRouteAsync(TestNamespace ns)
    {
        var route = await ns.Client.CustomObjects.GetClusterCustomObjectAsync<JsonElement>("kuma.io", "v1alpha1", "trafficroutes", "podinfo",
            cancellationToken: TestContext.Current.CancellationToken);
        return JsonNode.Parse(route.GetRawText())!;
    }

    private static List<string> Split(JsonNode route) =>
        [.. route["spec"]!["conf"]!["split"]!.AsArray().Select(s => $"{s!["destination"]!["kuma.io/service"]}={s["weight"]}")];
}
