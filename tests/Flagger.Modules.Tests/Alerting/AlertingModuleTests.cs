using Flagger.Modules.Alerting;
using Microsoft.Extensions.Configuration;

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
}
