using Flagger.Modules.Alerting;
using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Tests.Alerting;

public sealed class AlertingModuleTests
{
    [Fact]
    public void Flags_bind_and_non_empty_env_vars_win()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["cluster-name"] = "prod",
            ["slack-url"] = "http://flag/slack",
            ["SLACK_URL"] = "http://env/slack",
            ["slack-token"] = "flag-token",
            ["SLACK_TOKEN"] = "",
            ["slack-proxy-url"] = "http://proxy:3128",
            ["slack-channel"] = "deploys",
            ["msteams-url"] = "http://flag/teams",
            ["MSTEAMS_PROXY_URL"] = "http://envproxy:3128",
        }).Build();
        var options = new AlertingOptions();

        AlertingModule.Apply(options, configuration);

        Assert.Equal("prod", options.ClusterName);
        Assert.Equal("http://env/slack", options.SlackUrl);
        Assert.Equal("flag-token", options.SlackToken);
        Assert.Equal("http://proxy:3128", options.SlackProxyUrl);
        Assert.Equal("flagger", options.SlackUser);
        Assert.Equal("deploys", options.SlackChannel);
        Assert.Equal("http://flag/teams", options.MsTeamsUrl);
        Assert.Equal("http://envproxy:3128", options.MsTeamsProxyUrl);
    }

    [Fact]
    public async Task The_module_registers_an_alerter_bound_to_the_flags()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["msteams-url"] = receiver.Url("/teams"), ["cluster-name"] = "dev" });
        builder.Services.AddSingleton<IKubeCache>(new InMemoryKube());
        builder.AddSharedModule().AddAlertingModule();
        using var host = builder.Build();

        var deliveries = await host.Services.GetRequiredService<IAlerter>().AlertAsync(AlertingFixture.Canary(), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(deliveries).Delivered);
        Assert.Equal("dev", host.Services.GetRequiredService<IOptions<AlertingOptions>>().Value.ClusterName);
        Assert.Contains("{\"name\":\"Cluster\",\"value\":\"dev\"}", Assert.Single(receiver.Requests).BodyText, StringComparison.Ordinal);
    }
}
