using System.Text.Json;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Webhooks.WebhookFixtures;

namespace Flagger.Modules.Tests.Webhooks;

public sealed class EventWebhookPublisherTests
{
    private static EventWebhookPublisher Publisher(RecordingTimeProvider time, string? global = null) =>
        new(Runner(time), Options.Create(new WebhooksOptions { EventWebhook = global }), time, NullLogger<EventWebhookPublisher>.Instance);

    [Fact]
    public async Task Event_hooks_get_message_type_and_timestamp_that_hook_metadata_cannot_override()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var time = new RecordingTimeProvider();
        time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123));
        var hook = new CanaryWebhook
        {
            Name = "events",
            Type = "event",
            Url = receiver.Url("/events"),
            Metadata = new() { ["eventType"] = "Override", ["cluster"] = "prod" },
        };
        var canary = Canary(hook, new CanaryWebhook { Name = "gate", Type = "confirm-rollout", Url = receiver.Url("/gate") });

        var outcomes = await Publisher(time).PublishAsync(canary, "Warning", "Halt podinfo.test advancement", TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(outcomes).Success);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/events", request.Path);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("Progressing", json.RootElement.GetProperty("phase").GetString());
        var metadata = json.RootElement.GetProperty("metadata");
        Assert.Equal(["cluster", "eventMessage", "eventType", "timestamp"], metadata.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Halt podinfo.test advancement", metadata.GetProperty("eventMessage").GetString());
        Assert.Equal("Warning", metadata.GetProperty("eventType").GetString());
        Assert.Equal("1700000000123", metadata.GetProperty("timestamp").GetString());
        Assert.Equal("prod", metadata.GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task All_event_hooks_are_called_and_the_global_webhook_is_not()
    {
        await using var own = await LocalReceiver.StartAsync();
        await using var global = await LocalReceiver.StartAsync();
        var canary = Canary(
            new CanaryWebhook { Name = "a", Type = "event", Url = own.Url("/a") },
            new CanaryWebhook { Name = "b", Type = "event", Url = own.Url("/b") });

        var outcomes = await Publisher(new RecordingTimeProvider(), global.Url()).PublishAsync(canary, "Normal", "msg", TestContext.Current.CancellationToken);

        Assert.Equal(["a", "b"], outcomes.Select(o => o.Name));
        Assert.Equal(["/a", "/b"], own.Requests.Select(r => r.Path));
        Assert.Empty(global.Requests);
    }

    [Fact]
    public async Task The_global_webhook_is_used_when_the_canary_has_no_event_hook()
    {
        await using var global = await LocalReceiver.StartAsync();
        var canary = Canary(new CanaryWebhook { Name = "load", Type = "rollout", Url = "http://127.0.0.1:1/" });

        var outcomes = await Publisher(new RecordingTimeProvider(), global.Url("/sink")).PublishAsync(canary, "Normal", "Initialization done! podinfo.test", TestContext.Current.CancellationToken);

        Assert.Equal("events", Assert.Single(outcomes).Name);
        using var json = JsonDocument.Parse(Assert.Single(global.Requests).Body);
        Assert.Equal("Initialization done! podinfo.test", json.RootElement.GetProperty("metadata").GetProperty("eventMessage").GetString());
    }

    [Fact]
    public async Task No_target_means_no_call()
    {
        var outcomes = await Publisher(new RecordingTimeProvider()).PublishAsync(Canary(), "Normal", "msg", TestContext.Current.CancellationToken);

        Assert.Empty(outcomes);
    }

    [Fact]
    public async Task A_failing_event_hook_is_returned_not_thrown()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(400, "bad event"));
        var canary = Canary(new CanaryWebhook { Name = "e", Type = "event", Url = receiver.Url() });

        var outcome = Assert.Single(await Publisher(new RecordingTimeProvider()).PublishAsync(canary, "Normal", "msg", TestContext.Current.CancellationToken));

        Assert.False(outcome.Success);
        Assert.Equal("bad event", outcome.Error);
    }
}
