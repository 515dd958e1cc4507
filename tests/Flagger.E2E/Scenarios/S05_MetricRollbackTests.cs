using System.Text.RegularExpressions;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 5 (upstream test/linkerd rollback, test/istio): a version answering errors is rolled back by request-success-rate.</summary>
public sealed partial class S05_MetricRollbackTests(E2EEnvironment environment)
{
    /// <summary>Upstream's exact warning (pkg/controller/scheduler_metrics.go): "Halt %s.%s advancement success rate %.2f%% &lt; %v%%".</summary>
    [GeneratedRegex(@"^Halt podinfo\.test advancement success rate \d+\.\d\d% < 99%$")]
    private static partial Regex HaltSuccessRate();

    [Fact]
    public async Task A_new_version_answering_errors_breaks_the_success_rate_and_is_rolled_back_with_an_error_alert()
    {
        var backend = environment.Backend;
        // upstream's namespace, so the event text is exactly upstream's "Halt podinfo.test advancement ..."
        var ns = await TestNamespace.CreateAsync(backend, "test");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                # Prometheus needs two scrapes of the new version before a rate exists; those first checks count
                # as failed ("no values found"), so the threshold leaves room for them.
                threshold: 8
                maxWeight: 50
                stepWeight: 10
            {Specs.SuccessRate}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ", path: "/status/500")}
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // On the simulator the new version fails 30% of its requests; on k3s the load test hits /status/500.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image1);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        Assert.Contains(failed.Status.Conditions!, c => c.Type == "Promoted" && c.Status == "False");
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => HaltSuccessRate().IsMatch(m));
        Assert.Contains("Rolling back podinfo.test failed checks threshold reached 8", warnings);
        Assert.Contains("Canary failed! Scaling down podinfo.test", warnings);
        await ns.WaitUntilAsync(async () => (await ns.DeploymentAsync("podinfo")).Spec.Replicas == 0, "the failed canary scaled to zero");
        var routes = (await ns.VirtualServiceAsync("podinfo"))!["spec"]!["http"]![0]!["route"]!.AsArray();
        Assert.Equal([100, 0], routes.Select(r => r!["weight"]?.GetValue<int>() ?? 0));
        await ns.WaitUntilAsync(() => Task.FromResult(backend.Alerts.Bodies.Any(b =>
            b.Contains("podinfo.test", StringComparison.Ordinal) && b.Contains("Failed checks threshold reached 8", StringComparison.Ordinal))), "the error alert");
        ns.Report("5 metric rollback");
    }
}
