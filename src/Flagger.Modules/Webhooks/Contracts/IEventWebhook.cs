using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Webhooks.Contracts;

/// <summary>
/// Forwards a Kubernetes event that Flagger records on a canary to the canary's <c>event</c> webhooks, or, when the
/// canary has none, to the global event webhook (<see cref="WebhooksOptions.EventWebhook"/>). Call it once for every
/// event the rollout records (upstream <c>pkg/controller/events.go</c> <c>sendEventToWebhook</c>).
/// </summary>
/// <remarks>
/// The payload phase is the canary's <c>status.phase</c>; metadata carries <c>eventMessage</c>, <c>eventType</c>
/// (<c>Normal</c>/<c>Warning</c>) and <c>timestamp</c> (Unix milliseconds as a string) plus the hook's own metadata
/// keys that do not collide with those three. Failures are logged, returned, and never thrown.
/// </remarks>
public interface IEventWebhook
{
    /// <summary>Sends the event to every target; returns one outcome per target called (empty when there is none).</summary>
    Task<IReadOnlyList<WebhookOutcome>> PublishAsync(Canary canary, string eventType, string message, CancellationToken cancellationToken);
}
