using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks.Contracts;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>
/// Pure rollout rules over a canary's resolved <see cref="CanarySettings"/>: the next traffic step and the webhooks each
/// gate runs. Defaults come from <see cref="CanaryDefaults"/>; only the rollout logic lives here.
/// </summary>
internal static class RolloutRules
{
    /// <summary>upstream: <c>nextStepWeight</c> (scheduler.go): <c>stepWeight</c>, else the next rung of <c>stepWeights</c>.</summary>
    public static int NextStepWeight(this CanarySettings settings, int canaryWeight)
    {
        if (settings.StepWeight > 0 || settings.StepWeights.Count == 0)
        {
            return settings.StepWeight;
        }

        var maxStep = CanaryDefaults.TotalWeight - canaryWeight;
        if (maxStep == 0)
        {
            return 1;
        }

        if (canaryWeight == 0)
        {
            return Math.Min(maxStep, settings.StepWeights[0]);
        }

        for (var i = 0; i < settings.StepWeights.Count - 1; i++)
        {
            if (settings.StepWeights[i] == canaryWeight)
            {
                return Math.Min(maxStep, settings.StepWeights[i + 1] - canaryWeight);
            }
        }

        return maxStep;
    }

    /// <summary>The webhook type a gate runs, or null for <see cref="Gate.Metrics"/>.</summary>
    public static string? WebhookType(this Gate gate) => gate switch
    {
        Gate.ConfirmRollout => WebhookTypes.ConfirmRollout,
        Gate.Rollback => WebhookTypes.Rollback,
        Gate.PreRollout => WebhookTypes.PreRollout,
        Gate.Rollout => WebhookTypes.Rollout,
        Gate.ConfirmTrafficIncrease => WebhookTypes.ConfirmTrafficIncrease,
        Gate.ConfirmPromotion => WebhookTypes.ConfirmPromotion,
        _ => null,
    };

    /// <summary>The webhooks a gate runs, in spec order (an empty <c>type</c> is already resolved to <c>rollout</c>).</summary>
    public static IEnumerable<WebhookSettings> HooksOf(this CanarySettings settings, Gate gate) =>
        gate.WebhookType() is { } type ? settings.Webhooks.Where(w => w.Type == type) : [];

    /// <summary>Whether the gate has anything to run for this canary.</summary>
    public static bool HasWork(this CanarySettings settings, Gate gate) =>
        gate == Gate.Metrics ? settings.HasMetrics : settings.HooksOf(gate).Any();

    /// <summary>Whether the gate's hook <paramref name="hookName"/> mutes its waiting alert (<c>muteAlert</c>).</summary>
    public static bool IsMuted(this CanarySettings settings, string hookName, Gate gate) =>
        settings.HooksOf(gate).FirstOrDefault(w => w.Name == hookName)?.MuteAlert == true;
}
