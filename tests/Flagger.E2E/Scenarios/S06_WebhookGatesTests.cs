using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 6: the loadtester's manual rollback switch and its manual gate drive a release.</summary>
public sealed class S06_WebhookGatesTests(E2EEnvironment environment)
{
    [Fact]
    public async Task Opening_the_loadtester_rollback_switch_mid_analysis_rolls_the_release_back()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-rollback-hook");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                iterations: 1000
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: manual-rollback
                    type: rollback
                    url: {backend.LoadTesterUrl}rollback/check
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        await ns.SetImageAsync("podinfo", TestNamespace.Image1);
        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.Phase == "Progressing" && c.Status.Iterations >= 2, "two iterations");

        await backend.PostLoadTesterAsync("rollback/open", $$"""{"name":"podinfo","namespace":"{{ns.Name}}"}""", TestContext.Current.CancellationToken);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains("Rollback check manual-rollback passed", events);
        Assert.Contains($"Rolling back podinfo.{ns.Name} manual webhook invoked", events);
        Assert.Contains(backend.Alerts.Bodies, b => b.Contains($"podinfo.{ns.Name}", StringComparison.Ordinal) && b.Contains("Rolling back manual webhook invoked", StringComparison.Ordinal));
        ns.Report("6a webhook rollback");
    }

    [Fact]
    public async Task A_closed_confirm_rollout_gate_holds_the_release_until_the_loadtester_gate_is_opened()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-gate");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                maxWeight: 20
                stepWeight: 10
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: gate
                    type: confirm-rollout
                    url: {backend.LoadTesterUrl}gate/check
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        var waiting = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Waiting);
        await ns.WaitUntilAsync(async () => (await ns.EventMessagesAsync("podinfo")).Count(e => e == $"Halt podinfo.{ns.Name} advancement waiting for approval gate") >= 1, "the waiting-for-approval event");
        await ns.WaitUntilAsync(
            () => Task.FromResult(backend.Alerts.Bodies.Any(b => b.Contains($"podinfo.{ns.Name}", StringComparison.Ordinal) && b.Contains("Canary is waiting for approval.", StringComparison.Ordinal))),
            "the waiting-for-approval alert");
        Assert.Equal(0, waiting.Status!.CanaryWeight ?? 0);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, (await ns.DeploymentAsync("podinfo")).Spec.Replicas);

        await backend.PostLoadTesterAsync("gate/open", $$"""{"name":"podinfo","namespace":"{{ns.Name}}"}""", TestContext.Current.CancellationToken);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Contains("Confirm-rollout check gate passed", await ns.EventMessagesAsync("podinfo"));
        Assert.Contains(backend.Alerts.Bodies, b => b.Contains($"podinfo.{ns.Name}", StringComparison.Ordinal) && b.Contains("Canary analysis completed successfully, promotion finished.", StringComparison.Ordinal));
        ns.Report("6b manual gate");
    }
}
