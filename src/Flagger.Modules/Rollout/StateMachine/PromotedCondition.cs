using System.Globalization;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>The single <c>Promoted</c> status condition (upstream: pkg/canary/status.go MakeStatusConditions).</summary>
internal static class PromotedCondition
{
    public const string Type = "Promoted";

    /// <summary>Kubernetes timestamp format (RFC 3339, seconds, UTC).</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The condition status and message upstream sets for <paramref name="phase"/>.</summary>
    public static (string Status, string Message) For(CanaryPhase phase, string kind) => phase switch
    {
        CanaryPhase.Initialized => ("True", $"{kind} initialization completed."),
        CanaryPhase.Waiting or CanaryPhase.WaitingPromotion => ("Unknown", "Waiting for approval."),
        CanaryPhase.Progressing => ("Unknown", "New revision detected, progressing canary analysis."),
        CanaryPhase.Promoting => ("Unknown", "Canary analysis completed, starting primary rolling update."),
        CanaryPhase.Finalising => ("Unknown", "Canary analysis completed, routing all traffic to primary."),
        CanaryPhase.Succeeded => ("True", "Canary analysis completed successfully, promotion finished."),
        CanaryPhase.Failed => ("False", $"Canary analysis failed, {kind} scaled to zero."),
        _ => ("Unknown", $"New {kind} detected, starting initialization."),
    };

    /// <summary>
    /// The new condition list, or null when the current condition already has the same status and reason (then the
    /// conditions are left untouched). <c>lastTransitionTime</c> is kept while the status does not change.
    /// </summary>
    public static List<CanaryCondition>? Update(IReadOnlyList<CanaryCondition>? current, CanaryPhase phase, string kind, DateTimeOffset now)
    {
        var (status, message) = For(phase, kind);
        var reason = CanaryStateMachine.PhaseText(phase);
        var existing = current?.FirstOrDefault(c => c.Type == Type);
        if (existing is not null && existing.Status == status && existing.Reason == reason)
        {
            return null;
        }

        var stamp = Timestamp(now);
        return
        [
            new CanaryCondition
            {
                Type = Type,
                Status = status,
                Reason = reason,
                Message = message,
                LastUpdateTime = stamp,
                LastTransitionTime = existing is not null && existing.Status == status ? existing.LastTransitionTime : stamp,
            },
        ];
    }
}
