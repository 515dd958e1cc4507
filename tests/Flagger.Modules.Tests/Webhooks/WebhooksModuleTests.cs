using Flagger.Modules.Shared;
using Flagger.Modules.Webhooks;
using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Tests.Webhooks;

public sealed class WebhooksModuleTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("http://flag/", null, "http://flag/")]
    [InlineData("http://flag/", "http://env/", "http://env/")]
    [InlineData(null, "http://env/", "http://env/")]
    [InlineData("http://flag/", "", "http://flag/")]
    public void Event_webhook_comes_from_the_flag_and_the_env_var_wins(string? flag, string? env, string? expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var values = new Dictionary<string, string?>();
        if (flag is not null)
        {
            values["event-webhook"] = flag;
        }

        if (env is not null)
        {
            values["EVENT_WEBHOOK_URL"] = env;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.AddSharedModule().AddWebhooksModule();
        using var host = builder.Build();

        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<WebhooksOptions>>().Value.EventWebhook);
        Assert.NotNull(host.Services.GetRequiredService<IWebhookRunner>());
        Assert.NotNull(host.Services.GetRequiredService<IEventWebhook>());
    }
}
