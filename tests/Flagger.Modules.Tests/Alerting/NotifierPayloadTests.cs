using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Tests.TestDoubles;
using static Flagger.Modules.Tests.Alerting.AlertingFixture;

namespace Flagger.Modules.Tests.Alerting;

/// <summary>Each provider's body, byte for byte as upstream's Go <c>json.Marshal</c> writes it.</summary>
public sealed class NotifierPayloadTests
{
    private const string Message = "New revision detected, progressing canary analysis.";

    private static async Task<ReceivedRequest> SendAsync(string type, Action<AlertingFixture>? setup = null, AlertSeverity severity = AlertSeverity.Info, string path = "/hook", bool metadata = true)
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Options.ClusterName = "prod-eu";
        fixture.Provider("chat", type, receiver.Url(path));
        setup?.Invoke(fixture);

        var deliveries = await fixture.Alerter().AlertAsync(Canary(Alert("on-call", "chat")), Message, metadata, severity, TestContext.Current.CancellationToken);

        var delivery = Assert.Single(deliveries);
        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal(type, delivery.ProviderType);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        return request;
    }

    private const string SlackFields =
        "[{\"title\":\"Cluster\",\"value\":\"prod-eu\",\"short\":false},"
        + "{\"title\":\"Target\",\"value\":\"Deployment/podinfo.test\",\"short\":false},"
        + "{\"title\":\"Failed checks threshold\",\"value\":\"5\",\"short\":false},"
        + "{\"title\":\"Progress deadline\",\"value\":\"600s\",\"short\":false},"
        + "{\"title\":\"Traffic routing\",\"value\":\"Weight step: 10 max: 50\",\"short\":false}]";

    [Fact]
    public async Task Slack_payload_is_exact()
    {
        var request = await SendAsync("slack");

        Assert.Equal(
            "{\"channel\":\"general\",\"username\":\"flagger\",\"icon_url\":\"\",\"icon_emoji\":\":rocket:\",\"attachments\":[{\"color\":\"good\","
            + "\"author_name\":\"podinfo.test\",\"text\":\"" + Message + "\",\"mrkdwn_in\":[\"text\"],\"fields\":" + SlackFields + "}]}",
            request.BodyText);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal("/hook", request.Path);
    }

    [Fact]
    public async Task Slack_error_is_danger_and_uses_channel_username_and_the_secret_token()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Provider("chat", "slack", "http://127.0.0.1:1/ignored", configure: s =>
        {
            s.Channel = "ops";
            s.Username = "bot";
            s.SecretRef = new() { Name = "slack-secret" };
        });
        fixture.Secret("slack-secret", new() { ["address"] = receiver.Url("/from-secret"), ["token"] = "xoxb-123" });

        var deliveries = await fixture.Alerter().AlertAsync(Canary(Alert("a", "chat")), "Failed checks threshold reached 5", false, AlertSeverity.Error, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(deliveries).Delivered);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/from-secret", request.Path);
        Assert.Equal("Bearer xoxb-123", request.Headers["Authorization"]);
        Assert.Equal(
            "{\"channel\":\"ops\",\"username\":\"bot\",\"icon_url\":\"\",\"icon_emoji\":\":rocket:\",\"attachments\":[{\"color\":\"danger\","
            + "\"author_name\":\"podinfo.test\",\"text\":\"Failed checks threshold reached 5\",\"mrkdwn_in\":[\"text\"],\"fields\":[]}]}",
            request.BodyText);
    }

    [Theory]
    [InlineData("/api/webhooks/1/abc", "/api/webhooks/1/abc/slack")]
    [InlineData("/api/webhooks/1/abc/", "/api/webhooks/1/abc/slack")]
    [InlineData("/api/webhooks/1/abc/slack", "/api/webhooks/1/abc/slack")]
    public async Task Discord_posts_the_slack_payload_to_the_slack_suffixed_path_without_token(string path, string expectedPath)
    {
        var request = await SendAsync("discord", path: path);

        Assert.Equal(expectedPath, request.Path);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.StartsWith("{\"channel\":\"general\",\"username\":\"flagger\",\"icon_url\":\"\",\"icon_emoji\":\":rocket:\",\"attachments\":[{\"color\":\"good\",", request.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discord_with_a_secret_address_gets_the_suffix_too()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Provider("chat", "discord", null, configure: s => s.SecretRef = new() { Name = "d" });
        fixture.Secret("d", new() { ["address"] = receiver.Url("/api/webhooks/9/t"), ["token"] = "ignored" });

        await fixture.Alerter().AlertAsync(Canary(Alert("a", "chat")), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/api/webhooks/9/t/slack", request.Path);
        Assert.False(request.Headers.ContainsKey("Authorization"));
    }

    [Theory]
    [InlineData(AlertSeverity.Info, "#0076D7")]
    [InlineData(AlertSeverity.Warn, "#0076D7")]
    [InlineData(AlertSeverity.Error, "#FF0000")]
    public async Task Rocket_uses_its_own_colours(AlertSeverity severity, string color)
    {
        var request = await SendAsync("rocket", severity: severity, metadata: false);

        Assert.Equal(
            "{\"channel\":\"general\",\"username\":\"flagger\",\"icon_url\":\"\",\"icon_emoji\":\":rocket:\",\"attachments\":[{\"color\":\"" + color + "\","
            + "\"author_name\":\"podinfo.test\",\"text\":\"" + Message + "\",\"mrkdwn_in\":[\"text\"],\"fields\":[{\"title\":\"Cluster\",\"value\":\"prod-eu\",\"short\":false}]}]}",
            request.BodyText);
    }

    [Theory]
    [InlineData(AlertSeverity.Info, "0076D7")]
    [InlineData(AlertSeverity.Error, "FF0000")]
    public async Task MsTeams_message_card_is_exact(AlertSeverity severity, string theme)
    {
        var request = await SendAsync("msteams", severity: severity);

        Assert.Equal(
            "{\"@type\":\"MessageCard\",\"@context\":\"http://schema.org/extensions\",\"themeColor\":\"" + theme + "\",\"summary\":\"podinfo.test\","
            + "\"sections\":[{\"activityTitle\":\"" + Message + "\",\"activitySubtitle\":\"podinfo.test\",\"facts\":["
            + "{\"name\":\"Cluster\",\"value\":\"prod-eu\"},{\"name\":\"Target\",\"value\":\"Deployment/podinfo.test\"},"
            + "{\"name\":\"Failed checks threshold\",\"value\":\"5\"},{\"name\":\"Progress deadline\",\"value\":\"600s\"},"
            + "{\"name\":\"Traffic routing\",\"value\":\"Weight step: 10 max: 50\"}]}]}",
            request.BodyText);
    }

    [Fact]
    public async Task GChat_card_is_exact_with_go_html_escaping()
    {
        var request = await SendAsync("gchat", metadata: false);

        const string open = "\\u003cfont color=#848484\\u003e\\u003cstrong\\u003e";
        const string close = "\\u003c/strong\\u003e\\u003c/font\\u003e";
        Assert.Equal(
            "{\"cards\":[{\"header\":{\"title\":\"Flagger\",\"subtitle\":\"podinfo.test\",\"imageUrl\":\"https://flagger.app/favicon.png\"},"
            + "\"sections\":[{\"widgets\":[{\"textParagraph\":{\"text\":\"" + open + Message + close + "\"}}]},"
            + "{\"widgets\":[{\"textParagraph\":{\"text\":\"Cluster\\u003cbr\\u003e" + open + "prod-eu" + close + "\"}}]}]}]}",
            request.BodyText);
    }
}
