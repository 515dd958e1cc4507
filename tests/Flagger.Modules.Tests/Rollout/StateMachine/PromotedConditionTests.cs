using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

public sealed class PromotedConditionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 30, 15, TimeSpan.Zero);

    [Theory]
    [InlineData(CanaryPhase.Initializing, "Unknown", "New DaemonSet detected, starting initialization.")]
    [InlineData(CanaryPhase.Initialized, "True", "DaemonSet initialization completed.")]
    [InlineData(CanaryPhase.Waiting, "Unknown", "Waiting for approval.")]
    [InlineData(CanaryPhase.WaitingPromotion, "Unknown", "Waiting for approval.")]
    [InlineData(CanaryPhase.Progressing, "Unknown", "New revision detected, progressing canary analysis.")]
    [InlineData(CanaryPhase.Promoting, "Unknown", "Canary analysis completed, starting primary rolling update.")]
    [InlineData(CanaryPhase.Finalising, "Unknown", "Canary analysis completed, routing all traffic to primary.")]
    [InlineData(CanaryPhase.Succeeded, "True", "Canary analysis completed successfully, promotion finished.")]
    [InlineData(CanaryPhase.Failed, "False", "Canary analysis failed, DaemonSet scaled to zero.")]
    [InlineData(CanaryPhase.Terminating, "Unknown", "New DaemonSet detected, starting initialization.")]
    public void Each_phase_has_upstreams_status_reason_and_message(CanaryPhase phase, string status, string message)
    {
        var condition = Assert.Single(PromotedCondition.Update(null, phase, "DaemonSet", Now)!);

        Assert.Equal(("Promoted", status, phase.ToString(), message, "2026-11-26T08:30:15Z"), (condition.Type, condition.Status, condition.Reason, condition.Message, condition.LastTransitionTime));
    }

    [Fact]
    public void Same_status_and_reason_leaves_the_condition_untouched()
    {
        var current = PromotedCondition.Update(null, CanaryPhase.Progressing, "Deployment", Now.AddHours(-1));

        Assert.Null(PromotedCondition.Update(current, CanaryPhase.Progressing, "Deployment", Now));
    }

    [Fact]
    public void Same_status_with_another_reason_keeps_the_transition_time()
    {
        var current = PromotedCondition.Update(null, CanaryPhase.Progressing, "Deployment", Now.AddHours(-1));

        var next = Assert.Single(PromotedCondition.Update(current, CanaryPhase.Promoting, "Deployment", Now)!);

        Assert.Equal(("2026-11-26T07:30:15Z", "2026-11-26T08:30:15Z"), (next.LastTransitionTime, next.LastUpdateTime));
    }

    [Fact]
    public void A_status_change_moves_the_transition_time()
    {
        var current = PromotedCondition.Update(null, CanaryPhase.Finalising, "Deployment", Now.AddHours(-1));

        Assert.Equal("2026-11-26T08:30:15Z", Assert.Single(PromotedCondition.Update(current, CanaryPhase.Succeeded, "Deployment", Now)!).LastTransitionTime);
    }
}
