using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 12: the operator is killed mid-analysis and restarted; releases finish with the outcome their metrics call for.</summary>
/// <remarks>It owns its environment (its own cluster, Prometheus and operator) so killing the operator disturbs no other scenario.</remarks>
public sealed class S12_OperatorRestartTests
{
    [Fact]
    public async Task An_operator_killed_mid_analysis_and_restarted_promotes_the_good_release_and_rolls_back_the_bad_one()
    {
        var (backend, skip) = await E2EEnvironment.StartBackendAsync(TestContext.Current.CancellationToken);
        if (skip is not null)
        {
            Assert.Skip(skip);
        }

        await using var owned = backend!;
        var ns = await TestNamespace.CreateAsync(owned, "e2e-restart");
        var canary = (string name, string path) => Specs.Canary(ns.Name, name, $"""
                threshold: 10
                maxWeight: 50
                stepWeight: 5
            {Specs.SuccessRate}
                webhooks:
            {owned.TrafficWebhooks(ns.Name, name, "      ", path)}
            """);
        await ns.ApplyAsync(ns.Podinfo("good"));
        await ns.ApplyAsync(ns.Podinfo("bad"));
        await ns.ApplyAsync(canary("good", "/"));
        await ns.ApplyAsync(canary("bad", "/status/500"));
        await ns.WaitForPhaseAsync("good", CanaryPhase.Initialized);
        await ns.WaitForPhaseAsync("bad", CanaryPhase.Initialized);
        await ns.SetImageAsync("good", TestNamespace.Image1);
        await ns.PatchTemplateAsync("bad", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image1);
        await ns.WaitForCanaryAsync("good", c => c.Status?.Phase == "Progressing" && c.Status.CanaryWeight >= 5, "good: weight 5");
        await ns.WaitForCanaryAsync("bad", c => c.Status?.Phase == "Progressing" && c.Status.CanaryWeight >= 5, "bad: weight 5");

        await owned.StopRuntimeAsync(TestContext.Current.CancellationToken);
        var goodMidway = (await ns.CanaryAsync("good"))!.Status!;
        var badMidway = (await ns.CanaryAsync("bad"))!.Status!;
        await owned.StartRuntimeAsync(TestContext.Current.CancellationToken);

        await ns.WaitForPhaseAsync("good", CanaryPhase.Succeeded);
        await ns.WaitForPhaseAsync("bad", CanaryPhase.Failed);
        Assert.Equal("Progressing", goodMidway.Phase);
        Assert.True(goodMidway.CanaryWeight is > 0 and < 50, $"good weight when killed: {goodMidway.CanaryWeight}");
        Assert.Equal("Progressing", badMidway.Phase);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("good-primary"));
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("bad-primary"));
        var goodEvents = await ns.EventMessagesAsync("good");
        Assert.Equal(1, goodEvents.Count(e => e == $"Starting canary analysis for good.{ns.Name}"));
        ns.Report("12 operator restart");
    }
}
