using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 9 (upstream test/nginx/test-lifecycle.sh): failed release, revert to the primary's spec, retry.</summary>
public sealed class S09_LifecycleTests(E2EEnvironment environment)
{
    [Fact]
    public async Task After_a_failed_release_reverting_to_the_primary_starts_no_run_and_a_template_change_retries_and_promotes()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-lifecycle");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                maxWeight: 30
                stepWeight: 10
                metrics:
                  # a window shorter than the pause below, so the retry is not judged on the failed run's requests
                  # (both versions are the workload "podinfo")
                  - name: request-success-rate
                    thresholdRange:
                      min: 99
                    interval: 4s
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var goodTemplateHash = (await ns.DeploymentAsync("podinfo-primary")).Spec.Template.Metadata.Annotations?["flagger-id"];

        // A failing version: errors on the simulator, an image that never pulls on k3s.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.5" }, "ghcr.io/stefanprodan/potato:1.0.0");
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        var runsAfterFailure = (await ns.EventMessagesAsync("podinfo")).Count(e => e.StartsWith("New revision detected", StringComparison.Ordinal));

        // Back to exactly the primary's template: no new run.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = null }, TestNamespace.Image0);
        // A few reconcile intervals pass without a run starting.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.Equal(CanaryPhase.Failed.ToString(), (await ns.CanaryAsync("podinfo"))!.Status!.Phase);
        }

        Assert.Equal(runsAfterFailure, (await ns.EventMessagesAsync("podinfo")).Count(e => e.StartsWith("New revision detected", StringComparison.Ordinal)));
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(goodTemplateHash, (await ns.DeploymentAsync("podinfo-primary")).Spec.Template.Metadata.Annotations?["flagger-id"]);

        // A pod-template annotation change (here: the fixed version) retries and promotes.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["e2e.flagger.app/retry"] = "1" }, TestNamespace.Image1);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Progressing);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal("1", (await ns.DeploymentAsync("podinfo-primary")).Spec.Template.Metadata.Annotations["e2e.flagger.app/retry"]);
        ns.Report("9 lifecycle");
    }
}
