using Flagger.Modules.Shared;
using Flagger.Modules.Webhooks;
using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Tests.Webhooks;

public sealed class WebhooksModuleTests
{
    [Fact]
    public void The_module_registers_the_runner_and_the_event_publisher_with_the_hosts_options()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddSharedModule().AddWebhooksModule();
        builder.Services.Configure<WebhooksOptions>(o => o.EventWebhook = "http://sink/");
        using var host = builder.Build();

        Assert.Equal("http://sink/", host.Services.GetRequiredService<IOptions<WebhooksOptions>>().Value.EventWebhook);
        Assert.NotNull(host.Services.GetRequiredService<IWebhookRunner>());
        Assert.NotNull(host.Services.GetRequiredService<IEventWebhook>());
    }
}
