using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Webhooks;

/// <summary>Registers the webhook runner (<see cref="IWebhookRunner"/>) and the event forwarder (<see cref="IEventWebhook"/>).</summary>
public static class WebhooksModule
{
    /// <summary>
    /// Adds the module. Options: section <c>Webhooks</c> (<c>Webhooks:EventWebhook</c>), then the flag-style key
    /// <c>event-webhook</c> (<c>--event-webhook=URL</c> on the command line), then env <c>EVENT_WEBHOOK_URL</c>, which
    /// wins when non-empty, as upstream's <c>fromEnv</c>. Needs a <see cref="TimeProvider"/> (AddSharedModule).
    /// </summary>
    public static IHostApplicationBuilder AddWebhooksModule(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WebhooksOptions>()
            .BindConfiguration("Webhooks")
            .Configure<IConfiguration>((options, configuration) =>
                options.EventWebhook = FirstNonEmpty(configuration["EVENT_WEBHOOK_URL"], configuration["event-webhook"], options.EventWebhook));
        builder.Services.AddSingleton<WebhookHttpClients>();
        builder.Services.AddSingleton<HttpWebhookRunner>();
        builder.Services.AddSingleton<IWebhookRunner>(sp => sp.GetRequiredService<HttpWebhookRunner>());
        builder.Services.AddSingleton<IEventWebhook, EventWebhookPublisher>();
        return builder;
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
