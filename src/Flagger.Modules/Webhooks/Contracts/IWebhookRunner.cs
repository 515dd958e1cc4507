using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Webhooks.Contracts;

/// <summary>
/// Calls one canary webhook (<c>analysis.webhooks[]</c>) and reports what happened as data; it never throws for an HTTP
/// or network failure. When and in which order hooks fire is the rollout's job (inventory §5.1); use
/// <see cref="WebhookTypes.HooksOfType"/> to list a canary's hooks of one type in spec order.
/// </summary>
/// <remarks>
/// Semantics (upstream <c>pkg/controller/webhook.go</c>): <c>POST url</c> with <c>Content-Type: application/json</c> and
/// body <c>{"name","namespace","phase","checksum","metadata"}</c> (metadata omitted when empty); per-attempt timeout
/// <c>timeout</c> (Go duration, default <c>10s</c>, also when shorter than two characters; capped at 1h); <c>retries</c> extra attempts
/// on connection errors, timeouts, 429 and 5xx except 501, with exponential backoff 1s, 2s, 4s … capped at 30s (or the
/// server's <c>Retry-After</c> on 429/503); <c>disableTLS</c> skips certificate verification. Success iff the final
/// status is ≤ 202 (203 and 204 fail).
/// </remarks>
/// <example>
/// <code>
/// foreach (var hook in WebhookTypes.HooksOfType(canary, WebhookTypes.PreRollout))
/// {
///     var outcome = await runner.RunAsync(canary, hook, CanaryPhase.Progressing, ct);
///     if (!outcome.Success) { /* event: $"Halt {name}.{ns} advancement pre-rollout check {hook.Name} failed {outcome.Error}" */ break; }
/// }
/// </code>
/// </example>
public interface IWebhookRunner
{
    /// <summary>
    /// Runs <paramref name="webhook"/> for <paramref name="canary"/> with payload phase <paramref name="phase"/>.
    /// Only cancellation of <paramref name="cancellationToken"/> throws (<see cref="OperationCanceledException"/>).
    /// </summary>
    Task<WebhookOutcome> RunAsync(Canary canary, CanaryWebhook webhook, CanaryPhase phase, CancellationToken cancellationToken);
}
