using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Webhooks.Contracts;

/// <summary>The webhook <c>type</c> values of upstream (<c>pkg/apis/flagger/v1beta1/canary.go</c>) and helpers over them.</summary>
public static class WebhookTypes
{
    public const string ConfirmRollout = "confirm-rollout";
    public const string PreRollout = "pre-rollout";
    public const string Rollout = "rollout";
    public const string ConfirmTrafficIncrease = "confirm-traffic-increase";
    public const string ConfirmPromotion = "confirm-promotion";
    public const string PostRollout = "post-rollout";
    public const string Rollback = "rollback";
    public const string Event = "event";

    /// <summary>
    /// The canary's webhooks of <paramref name="type"/> in spec order; a hook with an empty <c>type</c> counts as
    /// <see cref="Rollout"/>, as upstream.
    /// </summary>
    public static IReadOnlyList<CanaryWebhook> HooksOfType(Canary canary, string type)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var hooks = canary.Spec.Analysis?.Webhooks;
        if (hooks is null)
        {
            return [];
        }

        return hooks.Where(h => h is not null && TypeOf(h) == type).ToList();
    }

    /// <summary>The effective type of a hook (<see cref="Rollout"/> when empty).</summary>
    public static string TypeOf(CanaryWebhook webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return CanaryDefaults.GetWebhookType(webhook);
    }
}
