namespace Flagger.Modules.Webhooks;

/// <summary>Settings of the webhooks module, bound by <see cref="WebhooksModule.AddWebhooksModule"/>.</summary>
public sealed class WebhooksOptions
{
    /// <summary>
    /// The global event webhook (<c>--event-webhook</c>, overridden by env <c>EVENT_WEBHOOK_URL</c> when that is set):
    /// receives every canary event unless the canary declares its own <c>event</c> webhook. Empty disables it.
    /// </summary>
    public string? EventWebhook { get; set; }
}
