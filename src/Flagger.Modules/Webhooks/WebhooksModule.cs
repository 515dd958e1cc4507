using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Webhooks;

/// <summary>Registers the webhook runner (<see cref="IWebhookRunner"/>) and the event forwarder (<see cref="IEventWebhook"/>).</summary>
public static class WebhooksModule
{
    /// <summary>
    /// Adds the module. The host fills <see cref="WebhooksOptions"/> (the runtime maps <c>-event-webhook</c> and
    /// <c>EVENT_WEBHOOK_URL</c> onto it). Needs a <see cref="TimeProvider"/> (AddSharedModule).
    /// </summary>
    public static IHostApplicationBuilder AddWebhooksModule(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The host fills WebhooksOptions from its flags (upstream's -event-webhook / EVENT_WEBHOOK_URL).
        builder.Services.AddOptions<WebhooksOptions>();
        builder.Services.AddSingleton<WebhookHttpClients>();
        builder.Services.AddSingleton<HttpWebhookRunner>();
        builder.Services.AddSingleton<IWebhookRunner>(sp => sp.GetRequiredService<HttpWebhookRunner>());
        builder.Services.AddSingleton<IEventWebhook, EventWebhookPublisher>();
        return builder;
    }
}
