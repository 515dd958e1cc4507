using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Alerting.Contracts;

/// <summary>
/// Sends a canary alert to the canary's <c>analysis.alerts</c> providers (filtered by severity), or, when the canary
/// declares no alerts, to the global notifier (Slack or MS Teams from flags/env). Delivery problems are logged, counted
/// (<c>flagger_alert_failures_total</c>) and returned; they never throw into the rollout.
/// </summary>
/// <remarks>
/// Routing (upstream <c>pkg/controller/events.go</c> <c>alert</c>): an alert entry receives the message when its
/// severity is <c>info</c> (or empty, ARCHITECTURE §9: upstream never sends those), when it equals the message
/// severity, or when the entry is <c>warn</c> and the message <c>error</c>. Fields: <c>Cluster</c> first when
/// <see cref="AlertingOptions.ClusterName"/> is set; with <c>includeMetadata</c> also <c>Target</c>,
/// <c>Failed checks threshold</c>, <c>Progress deadline</c> and <c>Traffic routing</c>.
/// </remarks>
/// <example>
/// <code>
/// await alerter.AlertAsync(canary, "New revision detected, progressing canary analysis.", includeMetadata: true, AlertSeverity.Info, ct);
/// await alerter.AlertAsync(canary, $"Failed checks threshold reached {failed}", includeMetadata: false, AlertSeverity.Error, ct);
/// </code>
/// </example>
public interface IAlerter
{
    /// <summary>Sends <paramref name="message"/>; returns one delivery per notifier tried (empty when nothing was due).</summary>
    Task<IReadOnlyList<AlertDelivery>> AlertAsync(Canary canary, string message, bool includeMetadata, AlertSeverity severity, CancellationToken cancellationToken);
}

/// <summary>Alert severities, spelled <c>info</c>, <c>warn</c>, <c>error</c> in the CRD and in payload colours.</summary>
public enum AlertSeverity
{
    Info,
    Warn,
    Error,
}

/// <summary>The result of one notifier call.</summary>
/// <param name="Alert">The <c>analysis.alerts[].name</c>, or <c>global</c> for the global notifier.</param>
/// <param name="ProviderType">The provider type (<c>slack</c>, <c>msteams</c>, …), or null when it could not be resolved.</param>
/// <param name="Delivered">True when the receiver answered 2xx.</param>
/// <param name="Error">Why it was not delivered; never contains the webhook URL or token.</param>
public sealed record AlertDelivery(string Alert, string? ProviderType, bool Delivered, string? Error);
