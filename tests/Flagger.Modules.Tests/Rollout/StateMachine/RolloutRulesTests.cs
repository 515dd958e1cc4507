using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

public sealed class RolloutRulesTests
{
    private static CanarySettings Settings(CanaryAnalysis analysis) =>
        CanaryDefaults.Resolve(new Canary { Spec = new CanarySpec { Analysis = analysis } });

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 8)]
    [InlineData(10, 70)]
    [InlineData(80, 20)] // past the ladder: the rest
    [InlineData(7, 93)] // not on the ladder: the rest
    [InlineData(100, 1)] // nothing left: any step promotes
    public void NextStepWeight_walks_the_stepWeights_ladder(int weight, int expected) =>
        Assert.Equal(expected, Settings(new CanaryAnalysis { StepWeights = [1, 2, 10, 80] }).NextStepWeight(weight));

    [Fact]
    public void StepWeight_takes_precedence_over_stepWeights() =>
        Assert.Equal(5, Settings(new CanaryAnalysis { StepWeight = 5, StepWeights = [1, 2] }).NextStepWeight(0));

    [Fact]
    public void Rollout_hooks_include_hooks_without_a_type()
    {
        var s = Settings(new CanaryAnalysis
        {
            Webhooks = [new CanaryWebhook { Name = "a" }, new CanaryWebhook { Name = "b", Type = "rollout" }, new CanaryWebhook { Name = "c", Type = "pre-rollout" }],
        });

        Assert.Equal(["a", "b"], s.HooksOf(Gate.Rollout).Select(h => h.Name));
        Assert.Equal(["c"], s.HooksOf(Gate.PreRollout).Select(h => h.Name));
        Assert.Empty(s.HooksOf(Gate.Metrics));
    }

    [Fact]
    public void Only_the_named_hook_of_the_gate_mutes_its_alert()
    {
        var s = Settings(new CanaryAnalysis
        {
            Webhooks = [new CanaryWebhook { Name = "gate", Type = "confirm-rollout", MuteAlert = true }, new CanaryWebhook { Name = "other", Type = "confirm-promotion" }],
        });

        Assert.True(s.IsMuted("gate", Gate.ConfirmRollout));
        Assert.False(s.IsMuted("gate", Gate.ConfirmPromotion));
        Assert.False(s.IsMuted("other", Gate.ConfirmPromotion));
    }

    [Fact]
    public void A_gate_has_work_only_with_hooks_of_its_type_or_metrics()
    {
        var s = Settings(new CanaryAnalysis { Webhooks = [new CanaryWebhook { Name = "load" }] });

        Assert.True(s.HasWork(Gate.Rollout));
        Assert.False(s.HasWork(Gate.ConfirmPromotion));
        Assert.False(s.HasWork(Gate.Metrics));
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
