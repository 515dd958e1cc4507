using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 25 (upstream has no OSM e2e script; same shape as test/linkerd/test-canary.sh): an <c>osm</c> canary on a
/// v1alpha2 TrafficSplit is promoted with the builtin metrics (OSM's <c>osm_request_total</c> and
/// <c>osm_request_duration_ms</c> through the real Prometheus), then a version answering errors is rolled back.
/// </summary>
public sealed partial class S25_OsmTests(E2EEnvironment environment)
{
    /// <summary>Upstream's warning (pkg/controller/scheduler_metrics.go): "Halt %s.%s advancement success rate %.2f%% &lt; %v%%".</summary>
    [GeneratedRegex(@"^Halt podinfo\.e2e-osm advancement success rate \d+\.\d\d% < 99%$")]
    private static partial Regex HaltSuccessRate();

    private static string Analysis(int threshold) => $"""
            threshold: {threshold}
            maxWeight: 30
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
        """;

    [Fact]
    public async Task An_osm_canary_is_promoted_on_the_builtin_metrics_and_a_failing_version_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("osm", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-osm");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
            {Analysis(threshold: 10)}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """, extraSpec: "  provider: osm"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var split = (await TrafficSplitAsync(ns))!;
        Assert.Equal("split.smi-spec.io/v1alpha2", (string?)split["apiVersion"]);
        Assert.Equal(["podinfo-canary=0", "podinfo-primary=100"], Backends(split));

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 30, "canary weight 30");
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 30", events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        Assert.Equal(["podinfo-canary=0", "podinfo-primary=100"], Backends((await TrafficSplitAsync(ns))!));
        Assert.True(await ns.QueryAsync($"sum(osm_request_total{{destination_namespace=\"{ns.Name}\",destination_kind=\"Deployment\",destination_name=\"podinfo\"}})") > 0);

        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
            {Analysis(threshold: 8)}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ", path: "/status/500")}
            """, extraSpec: "  provider: osm"));
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image2);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => HaltSuccessRate().IsMatch(m));
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 8", warnings);
        Assert.Equal(["podinfo-canary=0", "podinfo-primary=100"], Backends((await TrafficSplitAsync(ns))!));
        ns.Report("25 osm canary and rollback");
    }

    private static Task<JsonNode?> TrafficSplitAsync(TestNamespace ns) => ns.CustomAsync("split.smi-spec.io", "v1alpha2", "trafficsplits", "podinfo");

    private static List<string> Backends(JsonNode split) => [.. split["spec"]!["backends"]!.AsArray().Select(b => $"{b!["service"]}={b["weight"]}")];
}
