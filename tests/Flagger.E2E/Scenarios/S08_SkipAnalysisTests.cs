using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 8 (upstream test/istio/test-skip-analysis.sh): skipAnalysis promotes at once, but not a version that never gets ready.</summary>
public sealed class S08_SkipAnalysisTests(E2EEnvironment environment)
{
    [Fact]
    public async Task SkipAnalysis_promotes_a_good_version_at_once_and_fails_a_version_that_never_becomes_ready()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-skip");
        await ns.ApplyAsync(ns.Podinfo(progressDeadlineSeconds: 10));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", """
                threshold: 5
                maxWeight: 50
                stepWeight: 10
            """, extraSpec: "  skipAnalysis: true").Replace("progressDeadlineSeconds: 60", "progressDeadlineSeconds: 10", StringComparison.Ordinal));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Promotion completed! Canary analysis was skipped for podinfo.{ns.Name}", events);
        Assert.DoesNotContain(events, e => e.StartsWith($"Advance podinfo.{ns.Name} canary weight", StringComparison.Ordinal));

        // upstream uses the image stefanprodan/potato:1.0.0, which never pulls; the simulator's fail-ready does the same.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/fail-ready"] = "true" }, "ghcr.io/stefanprodan/potato:1.0.0");

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var primary = await ns.DeploymentAsync("podinfo-primary");
        Assert.Equal(1, primary.Spec.Replicas);
        Assert.Equal(1, primary.Status.ReadyReplicas);
        Assert.Contains(failed.Status!.Conditions!, c => c.Type == "Promoted" && c.Status == "False");
        Assert.Contains(backend.Alerts.Bodies, b => b.Contains($"podinfo.{ns.Name}", StringComparison.Ordinal) && b.Contains("Progress deadline exceeded", StringComparison.Ordinal));
        Assert.Contains($"Canary failed! Scaling down podinfo.{ns.Name}", await ns.EventMessagesAsync("podinfo"));
        ns.Report("8 skipAnalysis");
    }
}
