using Flagger.AlertReceiver;

namespace Flagger.AppHost.Tests;

public sealed class AlertReceiverTests
{
    private const string SlackFailure = """
        {"channel":"flagger-alerts","username":"flagger","attachments":[{"color":"danger","author_name":"podinfo.test",
         "text":"Failed checks threshold reached 3","fields":[{"title":"Target","value":"<Deployment>/podinfo.test"}]}]}
        """;

    [Fact]
    public void The_page_shows_slack_attachments_newest_first_html_encoded()
    {
        var log = new AlertLog(10, TimeProvider.System);
        Assert.Null(log.Add("/services/a", """{"text":"first"}"""));
        Assert.Null(log.Add("/services/b", SlackFailure));

        var html = AlertPage.Render(log.Snapshot());

        Assert.Contains("Alerts received (2)", html, StringComparison.Ordinal);
        Assert.Contains("<b>podinfo.test</b> Failed checks threshold reached 3", html, StringComparison.Ordinal);
        Assert.Contains("Target: &lt;Deployment&gt;/podinfo.test", html, StringComparison.Ordinal);
        Assert.Contains("border-left-color:#a30200", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("Failed checks", StringComparison.Ordinal) < html.IndexOf("first", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not json", "body: invalid JSON:")]
    [InlineData("[1,2]", "body: must be a JSON object")]
    public void A_body_that_is_not_a_json_object_is_refused_with_the_reason(string body, string error)
    {
        var log = new AlertLog(10, TimeProvider.System);

        Assert.StartsWith(error, log.Add("/", body), StringComparison.Ordinal);
        Assert.Empty(log.Snapshot());
    }

    [Fact]
    public void Only_the_last_alerts_up_to_the_capacity_are_kept()
    {
        var log = new AlertLog(2, TimeProvider.System);
        foreach (var n in new[] { 1, 2, 3 })
        {
            log.Add("/", $$"""{"text":"{{n}}"}""");
        }

        Assert.Equal(["3", "2"], log.Snapshot().Select(a => (string?)a.Body["text"]));
    }

    [Theory]
    [InlineData("good", "#2eb886")]
    [InlineData("#123abc", "#123abc")]
    [InlineData("red;background:url(x)", "#999")]
    public void Slack_colours_become_css_colours_and_nothing_else_gets_through(string slack, string css)
    {
        Assert.Equal(css, AlertPage.CssColor(slack));
    }
}
