using System.Globalization;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Webhooks;

/// <summary>
/// Sends canary events to the canary's <c>event</c> hooks (all of them, in order), or to the global event webhook when
/// the canary has none. Errors are logged as upstream logs them and returned.
/// </summary>
// upstream: pkg/controller/events.go sendEventToWebhook, pkg/controller/webhook.go CallEventWebhook
internal sealed partial class EventWebhookPublisher(
    HttpWebhookRunner runner, IOptions<WebhooksOptions> options, TimeProvider time, ILogger<EventWebhookPublisher> logger)
    : IEventWebhook
{
    public async Task<IReadOnlyList<WebhookOutcome>> PublishAsync(Canary canary, string eventType, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var hooks = WebhookTypes.HooksOfType(canary, WebhookTypes.Event);
        if (hooks.Count == 0 && !string.IsNullOrEmpty(options.Value.EventWebhook))
        {
            hooks = [new CanaryWebhook { Name = "events", Url = options.Value.EventWebhook }];
        }

        if (hooks.Count == 0)
        {
            return [];
        }

        var outcomes = new List<WebhookOutcome>(hooks.Count);
        foreach (var hook in hooks)
        {
            var payload = WebhookPayload.For(canary, canary.Status?.Phase ?? "", EventMetadata(hook, eventType, message));

            // Event hooks take the timeout as written (no "shorter than two characters" rule, unlike CallWebhook).
            var outcome = await runner.SendAsync(hook, payload, hook.Timeout, cancellationToken).ConfigureAwait(false);
            if (!outcome.Success)
            {
                Log.EventWebhookFailed(logger, $"{canary.Metadata.Name}.{canary.Metadata.NamespaceProperty}", outcome.Error ?? "");
            }

            outcomes.Add(outcome);
        }

        return outcomes;
    }

    private Dictionary<string, string> EventMetadata(CanaryWebhook hook, string eventType, string message)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["eventMessage"] = message,
            ["eventType"] = eventType,
            ["timestamp"] = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in hook.Metadata ?? [])
        {
            metadata.TryAdd(key, value);
        }

        return metadata;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "{Canary}: error sending event to webhook: {Error}")]
        public static partial void EventWebhookFailed(ILogger logger, string canary, string error);
    }
}
