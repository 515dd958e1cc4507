using Flagger.Modules.Alerting;
using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using static Flagger.Modules.Tests.Alerting.AlertingFixture;

namespace Flagger.Modules.Tests.Alerting;

public sealed class AlerterTests
{
    [Theory]
    [InlineData(null, AlertSeverity.Info, true)]
    [InlineData("", AlertSeverity.Warn, true)]
    [InlineData("info", AlertSeverity.Error, true)]
    [InlineData("warn", AlertSeverity.Info, false)]
    [InlineData("warn", AlertSeverity.Warn, true)]
    [InlineData("warn", AlertSeverity.Error, true)]
    [InlineData("error", AlertSeverity.Info, false)]
    [InlineData("error", AlertSeverity.Warn, false)]
    [InlineData("error", AlertSeverity.Error, true)]
    [InlineData("critical", AlertSeverity.Error, false)]
    public void Severity_routing_follows_upstream_with_empty_meaning_info(string? alertSeverity, AlertSeverity message, bool sent) =>
        Assert.Equal(sent, Alerter.ShouldSend(alertSeverity, message));

    [Theory]
    [InlineData(AlertSeverity.Info, new[] { "/all" })]
    [InlineData(AlertSeverity.Warn, new[] { "/all", "/warn" })]
    [InlineData(AlertSeverity.Error, new[] { "/all", "/warn", "/error" })]
    public async Task Each_alert_entry_receives_the_severities_it_subscribed_to(AlertSeverity severity, string[] paths)
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Provider("all", "slack", receiver.Url("/all"));
        fixture.Provider("warn", "slack", receiver.Url("/warn"));
        fixture.Provider("error", "slack", receiver.Url("/error"));
        var canary = Canary(Alert("a", "all"), Alert("w", "warn", "warn"), Alert("e", "error", "error"));

        var deliveries = await fixture.Alerter().AlertAsync(canary, "msg", false, severity, TestContext.Current.CancellationToken);

        Assert.All(deliveries, d => Assert.True(d.Delivered));
        Assert.Equal(paths, receiver.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task A_provider_in_another_namespace_is_found_through_provider_ref_namespace()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Provider("shared", "msteams", receiver.Url("/teams"), ns: "flagger-system");

        var deliveries = await fixture.Alerter().AlertAsync(Canary(Alert("t", "shared", "info", "flagger-system")), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(deliveries).Delivered);
        Assert.Equal("/teams", Assert.Single(receiver.Requests).Path);
    }

    [Fact]
    public async Task A_failing_receiver_is_logged_counted_and_returned_never_thrown()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(500, "oops"));
        var fixture = new AlertingFixture();
        fixture.Provider("chat", "slack", receiver.Url());

        var deliveries = await fixture.Alerter().AlertAsync(Canary(Alert("a", "chat")), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        var delivery = Assert.Single(deliveries);
        Assert.False(delivery.Delivered);
        Assert.Equal("alert provider chat.test send error: postMessage failed: sending notification bad response 500: oops", delivery.Error);
        Assert.Equal(1, fixture.Metrics.Failures("podinfo", "test", "slack"));
    }

    [Fact]
    public async Task A_2xx_other_than_200_is_delivered()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(204));
        var fixture = new AlertingFixture();
        fixture.Provider("chat", "gchat", receiver.Url());

        var deliveries = await fixture.Alerter().AlertAsync(Canary(Alert("a", "chat")), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(deliveries).Delivered);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_after_five_seconds()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new ReceiverReply(200);
        };
        var fixture = new AlertingFixture();
        fixture.Provider("chat", "slack", receiver.Url());

        var run = fixture.Alerter().AlertAsync(Canary(Alert("a", "chat")), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(5), await fixture.Time.NextTimerAsync());
        await receiver.NextAsync();
        fixture.Time.Advance(TimeSpan.FromSeconds(5));

        var delivery = Assert.Single(await run);
        Assert.False(delivery.Delivered);
        Assert.Equal("alert provider chat.test send error: postMessage failed: sending notification failed to send: timeout after 5s", delivery.Error);
    }

    [Fact]
    public async Task The_provider_proxy_carries_the_request()
    {
        await using var proxy = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Provider("chat", "slack", "http://hooks.example.invalid/services/T0/B0", configure: s => s.Proxy = proxy.BaseUrl);

        var deliveries = await fixture.Alerter().AlertAsync(Canary(Alert("a", "chat")), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(deliveries).Delivered, deliveries[0].Error);
        var request = Assert.Single(proxy.Requests);
        Assert.Equal("/services/T0/B0", request.Path);
        Assert.Equal("hooks.example.invalid", request.Headers["Host"]);
    }

    [Fact]
    public async Task Secret_address_overrides_spec_address()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Provider("chat", "msteams", "http://127.0.0.1:1/spec", configure: s => s.SecretRef = new() { Name = "teams" });
        fixture.Secret("teams", new() { ["address"] = receiver.Url("/secret") });

        var deliveries = await fixture.Alerter().AlertAsync(Canary(Alert("a", "chat")), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(deliveries).Delivered);
        Assert.Equal("/secret", Assert.Single(receiver.Requests).Path);
    }

    [Fact]
    public async Task Misconfigured_providers_are_skipped_with_a_clear_error_that_hides_the_url()
    {
        var fixture = new AlertingFixture();
        fixture.Provider("no-address", "slack", "http://127.0.0.1:1/", configure: s => s.SecretRef = new() { Name = "empty" });
        fixture.Secret("empty", new() { ["token"] = "t" });
        fixture.Provider("no-secret", "slack", null, configure: s => s.SecretRef = new() { Name = "missing" });
        fixture.Provider("bad-type", "pagerduty", "http://127.0.0.1:1/");
        fixture.Provider("bad-url", "slack", "hooks.slack.com/services/SECRET");
        fixture.Provider("empty-url", "slack", "");
        var canary = Canary(
            Alert("1", "no-address"), Alert("2", "no-secret"), Alert("3", "bad-type"), Alert("4", "bad-url"), Alert("5", "absent"),
            Alert("6", "empty-url"), new CanaryAlert { Name = "7" });

        var deliveries = await fixture.Alerter().AlertAsync(canary, "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.Equal(
        [
            "alert provider no-address.test secret does not contain an address",
            "alert provider no-secret.test secretRef error: secret \"missing\" not found",
            "alert provider bad-type.test error: provider pagerduty not supported (spec.type must be one of slack, discord, rocket, msteams, gchat)",
            "alert provider bad-url.test error: invalid Slack hook URL (address)",
            "alert provider absent.test error: alertprovider.flagger.app \"absent\" not found",
            "alert 7: providerRef.name is required",
        ], deliveries.Select(d => d.Error));
        Assert.All(deliveries, d => Assert.False(d.Delivered));
        Assert.DoesNotContain(deliveries, d => d.Error!.Contains("SECRET", StringComparison.Ordinal));
        Assert.Equal(3, fixture.Metrics.Failures("podinfo", "test", "slack"));
        Assert.Equal(1, fixture.Metrics.Failures("podinfo", "test", "pagerduty"));
    }

    [Fact]
    public async Task Without_alerts_the_global_slack_notifier_gets_everything()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Options.SlackUrl = receiver.Url("/global");
        fixture.Options.SlackChannel = "deploys";
        fixture.Options.SlackToken = "tok";

        var deliveries = await fixture.Alerter().AlertAsync(Canary(), "Canary analysis completed successfully, promotion finished.", false, AlertSeverity.Info, TestContext.Current.CancellationToken);

        Assert.Equal(new AlertDelivery("global", "slack", true, null), Assert.Single(deliveries));
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("Bearer tok", request.Headers["Authorization"]);
        Assert.StartsWith("{\"channel\":\"deploys\",\"username\":\"flagger\",", request.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ms_teams_wins_over_slack_for_the_global_notifier()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var fixture = new AlertingFixture();
        fixture.Options.SlackUrl = receiver.Url("/slack");
        fixture.Options.SlackChannel = "deploys";
        fixture.Options.MsTeamsUrl = receiver.Url("/teams");

        var deliveries = await fixture.Alerter().AlertAsync(Canary(), "m", false, AlertSeverity.Error, TestContext.Current.CancellationToken);

        Assert.Equal("msteams", Assert.Single(deliveries).ProviderType);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/teams", request.Path);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.StartsWith("{\"@type\":\"MessageCard\"", request.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_global_slack_notifier_without_channel_or_url_sends_nothing()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var noChannel = new AlertingFixture();
        noChannel.Options.SlackUrl = receiver.Url();
        var none = new AlertingFixture();

        Assert.Empty(await noChannel.Alerter().AlertAsync(Canary(), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken));
        Assert.Empty(await none.Alerter().AlertAsync(Canary(), "m", false, AlertSeverity.Info, TestContext.Current.CancellationToken));
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public void Metadata_fields_describe_target_threshold_deadline_and_routing()
    {
        var canary = Canary();
        canary.Spec.ProgressDeadlineSeconds = 120;

        Assert.Equal(
        [
            new AlertField("Target", "Deployment/podinfo.test"),
            new AlertField("Failed checks threshold", "5"),
            new AlertField("Progress deadline", "120s"),
            new AlertField("Traffic routing", "Weight step: 10 max: 50"),
        ], Alerter.Metadata(canary));
    }

    [Fact]
    public void Traffic_routing_names_each_strategy()
    {
        static string? Routing(CanaryAnalysis analysis)
        {
            var canary = Canary();
            canary.Spec.Analysis = analysis;
            return Alerter.Metadata(canary).SingleOrDefault(f => f.Name == "Traffic routing")?.Value;
        }

        Assert.Equal("A/B Testing", Routing(new CanaryAnalysis { Iterations = 10, Match = [new HttpMatchRequest()] }));
        Assert.Equal("Blue/Green", Routing(new CanaryAnalysis { Iterations = 10 }));
        Assert.Equal("Weight steps: 1,10,50 max: 50", Routing(new CanaryAnalysis { StepWeights = [1, 10, 50], MaxWeight = 50 }));
        Assert.Null(Routing(new CanaryAnalysis()));
        Assert.Equal("1", Alerter.Metadata(new Canary { Spec = new CanarySpec { Analysis = new CanaryAnalysis() } }).Single(f => f.Name == "Failed checks threshold").Value);
    }

    [Fact]
    public void The_cluster_field_comes_first()
    {
        var fixture = new AlertingFixture();
        fixture.Options.ClusterName = "prod";

        var fields = fixture.Alerter().Fields(Canary(), includeMetadata: true);

        Assert.Equal(["Cluster", "Target", "Failed checks threshold", "Progress deadline", "Traffic routing"], fields.Select(f => f.Name));
        Assert.Empty(new AlertingFixture().Alerter().Fields(Canary(), includeMetadata: false));
    }
}
