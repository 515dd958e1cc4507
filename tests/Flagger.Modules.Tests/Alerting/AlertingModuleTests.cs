using Flagger.Modules.Alerting;
using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Tests.Alerting;

public sealed class AlertingModuleTests
{
    [Fact]
    public async Task The_module_registers_an_alerter_with_the_hosts_options()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IKubeCache>(new InMemoryKube());
        builder.AddSharedModule().AddAlertingModule();
        builder.Services.Configure<AlertingOptions>(o =>
        {
            o.MsTeamsUrl = receiver.Url("/teams");
            o.ClusterName = "dev";
        });
        using var host = builder.Build();

        var deliveries = await host.Services.GetRequiredService<IAlerter>().AlertAsync(AlertingFixture.Canary(), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(deliveries).Delivered);
        Assert.Equal("dev", host.Services.GetRequiredService<IOptions<AlertingOptions>>().Value.ClusterName);
        Assert.Contains("{\"name\":\"Cluster\",\"value\":\"dev\"}", Assert.Single(receiver.Requests).BodyText, StringComparison.Ordinal);
    }
}
