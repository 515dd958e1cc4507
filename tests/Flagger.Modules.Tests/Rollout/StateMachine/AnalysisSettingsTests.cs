using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

public sealed class AnalysisSettingsTests
{
    [Theory]
    [InlineData(null, 60)]
    [InlineData("", 60)]
    [InlineData("1m", 60)]
    [InlineData("30s", 30)]
    [InlineData("1m30s", 90)]
    [InlineData("2h", 7200)]
    [InlineData("5s", 10)] // clamped to the 10s floor
    [InlineData("500ms", 10)]
    [InlineData("banana", 60)] // parse error falls back to 60s
    [InlineData("10x", 60)]
    public void Interval_defaults_and_clamps_like_upstream(string? interval, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), AnalysisSettings.ParseInterval(interval));

    [Fact]
    public void Defaults_follow_upstream()
    {
        var s = AnalysisSettings.Resolve(new CanarySpec { Analysis = new CanaryAnalysis() }, "istio");

        Assert.Equal(("istio", 1, 100, 600, false, "canary"), (s.Provider, s.Threshold, s.MaxWeight, s.ProgressDeadlineSeconds, s.SkipAnalysis, s.Strategy));
    }

    [Fact]
    public void A_canary_without_analysis_skips_the_analysis() =>
        Assert.True(AnalysisSettings.Resolve(new CanarySpec(), "istio").SkipAnalysis);

    [Fact]
    public void Spec_provider_overrides_the_global_provider() =>
        Assert.Equal("kubernetes", AnalysisSettings.Resolve(new CanarySpec { Provider = "kubernetes" }, "istio").Provider);

    [Theory]
    [InlineData(new[] { 1, 2, 10, 80 }, 80)]
    [InlineData(new[] { 5, 150 }, 100)]
    public void MaxWeight_with_stepWeights_is_the_last_step_capped_at_100(int[] steps, int expected) =>
        Assert.Equal(expected, AnalysisSettings.Resolve(new CanarySpec { Analysis = new CanaryAnalysis { StepWeights = [.. steps], MaxWeight = 30 } }, "istio").MaxWeight);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 8)]
    [InlineData(10, 70)]
    [InlineData(80, 20)] // past the ladder: the rest
    [InlineData(7, 93)] // not on the ladder: the rest
    [InlineData(100, 1)] // nothing left: any step promotes
    public void NextStepWeight_walks_the_stepWeights_ladder(int weight, int expected) =>
        Assert.Equal(expected, AnalysisSettings.Resolve(new CanarySpec { Analysis = new CanaryAnalysis { StepWeights = [1, 2, 10, 80] } }, "istio").NextStepWeight(weight));

    [Fact]
    public void StepWeight_takes_precedence_over_stepWeights() =>
        Assert.Equal(5, AnalysisSettings.Resolve(new CanarySpec { Analysis = new CanaryAnalysis { StepWeight = 5, StepWeights = [1, 2] } }, "istio").NextStepWeight(0));

    [Theory]
    [InlineData(0, false, "canary")]
    [InlineData(3, false, "blue-green")]
    [InlineData(3, true, "ab-testing")]
    [InlineData(0, true, "canary")]
    public void Strategy_follows_iterations_and_match(int iterations, bool match, string expected) =>
        Assert.Equal(expected, AnalysisSettings.Resolve(
            new CanarySpec { Analysis = new CanaryAnalysis { Iterations = iterations, Match = match ? [new HttpMatchRequest()] : null } }, "istio").Strategy);

    [Fact]
    public void Rollout_hooks_include_hooks_without_a_type()
    {
        var s = AnalysisSettings.Resolve(new CanarySpec
        {
            Analysis = new CanaryAnalysis { Webhooks = [new CanaryWebhook { Name = "a" }, new CanaryWebhook { Name = "b", Type = "rollout" }, new CanaryWebhook { Name = "c", Type = "pre-rollout" }] },
        }, "istio");

        Assert.Equal(["a", "b"], s.HooksOfType("rollout").Select(h => h.Name));
        Assert.Equal(["c"], s.HooksOfType("pre-rollout").Select(h => h.Name));
    }
}

public sealed class JudgementContractTests
{
    [Fact]
    public void A_judgement_of_the_wrong_kind_is_a_clear_error_naming_the_gate()
    {
        var canary = Fx.Canary(Fx.WithMetrics, status: Fx.Status(CanaryPhase.Progressing, weight: 10));
        var input = new TickInput(canary, Fx.Obs(Fx.Rev2, Fx.Routes(10)), Fx.T0, "c", "p");

        var error = Assert.Throws<ArgumentException>(() => new CanaryStateMachine().Tick(input, Judgement.None.With(Gate.Metrics, HooksOutcome.Of())));

        Assert.Contains("gate Metrics must be a MetricsOutcome", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_inputs_always_give_the_same_decision()
    {
        var canary = Fx.Canary(status: Fx.Status(CanaryPhase.Progressing, weight: 10));
        var input = new TickInput(canary, Fx.Obs(Fx.Rev2, Fx.Routes(10)), Fx.T0, "c", "p");

        var first = (Decision)new CanaryStateMachine().Tick(input, Judgement.None);
        var second = (Decision)new CanaryStateMachine().Tick(input, Judgement.None);

        Assert.Equal(first.Actions.Where(a => a is not WriteStatus), second.Actions.Where(a => a is not WriteStatus));
        Assert.Equal(first.Status!.CanaryWeight, second.Status!.CanaryWeight);
    }
}
