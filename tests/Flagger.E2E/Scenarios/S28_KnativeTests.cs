using System.Text.Json.Nodes;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 28 (upstream test/knative/test-canary.sh): a Knative Service target with provider knative. Initialization
/// pins the first revision as primary (<c>flagger.app/primary-revision: podinfo-00001</c>); a new image creates
/// <c>podinfo-00002</c>, traffic shifts to it by revision percentages on <c>spec.traffic</c> while the Kourier metrics pass,
/// and promotion moves the annotation; a slow revision (upstream: load on <c>/delay/1</c>) is rolled back.
/// </summary>
public sealed class S28_KnativeTests(E2EEnvironment environment)
{
    private const string Group = "serving.knative.dev";

    [Fact]
    public async Task Revisions_are_promoted_by_traffic_percent_and_a_slow_revision_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("knative", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-knative");
        await ns.ApplyAsync($"""
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: podinfo
              namespace: {ns.Name}
              annotations:
                {Specs.Traffic}
            spec:
              template:
                spec:
                  containers:
                    - image: {TestNamespace.Image0}
                      ports:
                        - containerPort: 9898
                          protocol: TCP
                      command:
                        - ./podinfo
                        - --port=9898
            """);
        await ns.ApplyAsync(Canary(backend, ns.Name, "/"));

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        Assert.Equal("podinfo-00001", PrimaryRevision(await KnativeServiceAsync(ns)));

        await PatchImageAsync(ns, TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 50, "canary weight 50");
        var midRun = await KnativeServiceAsync(ns);
        Assert.Equal("podinfo-00002", (string?)midRun["status"]!["latestCreatedRevisionName"]);
        await ns.WaitUntilAsync(async () => PrimaryRevision(await KnativeServiceAsync(ns)) == "podinfo-00002", "primary-revision podinfo-00002");
        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(0, succeeded.Status!.CanaryWeight);
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 10", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 50", events);
        Assert.Contains("Promotion completed! Scaling down podinfo." + ns.Name, events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        await ns.WaitUntilAsync(async () => Traffic(await KnativeServiceAsync(ns)) == "podinfo-00002:True:0,podinfo-00002:False:100", "all traffic on podinfo-00002");
        var canarySeries = await ns.QueryAsync($"sum(envoy_cluster_upstream_rq{{envoy_cluster_name=\"{ns.Name}/podinfo-00002\"}})");
        Assert.True(canarySeries > 0, "Kourier's cluster of the canary revision served requests");

        // upstream: hey on /delay/1 makes request-duration (max 500ms) fail; the simulator slows the revision down instead
        await ns.ApplyAsync(Canary(backend, ns.Name, "/delay/1"));
        await PatchImageAsync(ns, TestNamespace.Image2, latencyMs: "1000");

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(0, failed.Status!.CanaryWeight);
        var afterRollback = await KnativeServiceAsync(ns);
        Assert.Equal("podinfo-00002", PrimaryRevision(afterRollback));
        Assert.Equal("podinfo-00003", (string?)afterRollback["status"]!["latestCreatedRevisionName"]);
        await ns.WaitUntilAsync(async () => Traffic(await KnativeServiceAsync(ns)) == "podinfo-00003:True:0,podinfo-00002:False:100", "all traffic back on podinfo-00002");
        Assert.Contains(await ns.EventMessagesAsync("podinfo"), e => e.StartsWith($"Canary failed! Scaling down podinfo.{ns.Name}", StringComparison.Ordinal));
        ns.Report("28 knative");
    }

    /// <summary>Upstream's canary; on a real cluster with its load test (<c>hey</c> through Kourier on <paramref name="path"/>).</summary>
    private static string Canary(IClusterBackend backend, string ns, string path) => $"""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: {ns}
        spec:
          provider: knative
          targetRef:
            apiVersion: serving.knative.dev/v1
            kind: Service
            name: podinfo
          progressDeadlineSeconds: 60
          analysis:
            interval: 1s
            threshold: 10
            maxWeight: 50
            stepWeight: 10
            metrics:
              - name: request-success-rate
                thresholdRange:
                  min: 99
                interval: 30s
              - name: request-duration
                thresholdRange:
                  max: 500
                interval: 30s
        {LoadTest(backend, $"http://podinfo.{ns}{path}", "1m", 5)}
        """;

    /// <summary>Upstream's <c>hey</c> load test as a cmd webhook (a real cluster only; the simulator generates the requests itself).</summary>
    internal static string LoadTest(IClusterBackend backend, string url, string duration, int qps) => backend is SimulatedBackend
        ? ""
        : "    webhooks:\n      - name: load-test\n        url: " + backend.LoadTesterUrl + "\n        timeout: 5s\n        metadata:\n          type: cmd\n" +
          $"          cmd: \"hey -z {duration} -q {qps} -c 2 {url}\"\n";

    private static async Task<JsonNode> KnativeServiceAsync(TestNamespace ns) =>
        await ns.CustomAsync(Group, "v1", "services", "podinfo") ?? throw new InvalidOperationException("Knative Service podinfo is gone");

    private static string? PrimaryRevision(JsonNode service) => (string?)service["metadata"]!["annotations"]?["flagger.app/primary-revision"];

    private static string Traffic(JsonNode service) => string.Join(",", (service["status"]?["traffic"] as JsonArray ?? [])
        .Select(t => $"{(string?)t!["revisionName"]}:{((bool?)t["latestRevision"] ?? false ? "True" : "False")}:{(long?)t["percent"] ?? 0}"));

    /// <summary>As upstream's <c>kubectl patch services.serving podinfo --type=json</c> on the first container's image.</summary>
    private static async Task PatchImageAsync(TestNamespace ns, string image, string? latencyMs = null)
    {
        var operations = new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = "/spec/template/spec/containers/0/image", ["value"] = image });
        if (latencyMs is not null)
        {
            operations.Add(new JsonObject { ["op"] = "add", ["path"] = "/spec/template/metadata", ["value"] = new JsonObject { ["annotations"] = new JsonObject { ["simulator.flagger.app/latency-ms"] = latencyMs } } });
        }

        await ns.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(operations.ToJsonString(), V1Patch.PatchType.JsonPatch), Group, "v1", ns.Name, "services", "podinfo", cancellationToken: TestContext.Current.CancellationToken);
    }
}
