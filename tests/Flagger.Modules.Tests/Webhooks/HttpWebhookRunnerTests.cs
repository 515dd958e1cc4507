using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Webhooks;
using static Flagger.Modules.Tests.Webhooks.WebhookFixtures;

namespace Flagger.Modules.Tests.Webhooks;

public sealed class HttpWebhookRunnerTests
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Payload_is_upstreams_json_with_sorted_metadata_and_json_content_type()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var hook = new CanaryWebhook
        {
            Name = "load-test",
            Url = receiver.Url("/"),
            Metadata = new() { ["type"] = "cmd", ["cmd"] = "hey -z 1m -q 10 http://podinfo-canary.test:9898/", ["a<b"] = "x&y" },
        };
        var canary = Canary(hook);

        var outcome = await Runner().RunAsync(canary, hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.True(outcome.Success);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        var checksum = WebhookChecksum.Compute(canary.Status);
        var expected = "{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\",\"checksum\":\"" + checksum + "\","
            + "\"metadata\":{\"a\\u003cb\":\"x\\u0026y\",\"cmd\":\"hey -z 1m -q 10 http://podinfo-canary.test:9898/\",\"type\":\"cmd\"}}";
        Assert.Equal(expected, request.BodyText);
    }

    [Fact]
    public async Task Metadata_is_omitted_when_empty()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var hook = new CanaryWebhook { Name = "gate", Url = receiver.Url("/gate/check"), Metadata = [] };

        await Runner().RunAsync(Canary(hook), hook, CanaryPhase.Waiting, TestContext.Current.CancellationToken);

        using var json = JsonDocument.Parse(Assert.Single(receiver.Requests).Body);
        Assert.Equal(["name", "namespace", "phase", "checksum"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Waiting", json.RootElement.GetProperty("phase").GetString());
        Assert.Equal("/gate/check", receiver.Requests.Single().Path);
    }

    [Fact]
    public void Checksum_keeps_upstreams_short_safe_alphabet_and_follows_the_applied_spec()
    {
        var a = WebhookChecksum.Compute(new CanaryStatus { LastAppliedSpec = "one" });
        var b = WebhookChecksum.Compute(new CanaryStatus { LastAppliedSpec = "two" });
        var c = WebhookChecksum.Compute(new CanaryStatus { LastAppliedSpec = "one", TrackedConfigs = new() { ["secret/x"] = "1" } });

        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$", a);
        Assert.Equal(a, WebhookChecksum.Compute(new CanaryStatus { LastAppliedSpec = "one" }));
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(201, true)]
    [InlineData(202, true)]
    [InlineData(203, false)]
    [InlineData(204, false)]
    [InlineData(404, false)]
    [InlineData(501, false)]
    public async Task Success_iff_status_is_at_most_202_and_the_error_is_the_body(int status, bool success)
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(status, status == 204 ? "" : $"body of {status}"));
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url(), Retries = 3 };

        var outcome = await Runner().RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.Equal(success, outcome.Success);
        Assert.Equal(status, outcome.StatusCode);
        Assert.Equal(1, outcome.Attempts); // none of these is retried, 501 included
        Assert.Equal("check", outcome.Name);
        if (success)
        {
            Assert.Null(outcome.Error);
        }
        else
        {
            Assert.Equal(status == 204 ? "HTTP status 204 No Content" : $"body of {status}", outcome.Error);
        }
    }

    [Theory]
    [InlineData(429, "")]
    [InlineData(500, ": unexpected HTTP status 500 Internal Server Error")]
    [InlineData(503, ": unexpected HTTP status 503 Service Unavailable")]
    public async Task Retryable_status_without_retries_gives_up_after_one_attempt(int status, string reason)
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(status, "busy"));
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url("/hook") };

        var outcome = await Runner().RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal(status, outcome.StatusCode);
        Assert.Equal(1, outcome.Attempts);
        Assert.Equal($"POST {receiver.Url("/hook")} giving up after 1 attempt(s){reason}", outcome.Error);
    }

    [Fact]
    public async Task Retries_with_exponential_backoff_until_success()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var statuses = new Queue<int>([503, 500, 429, 200]);
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(statuses.Dequeue()));
        var time = new RecordingTimeProvider();
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url(), Retries = 5 };

        var run = Runner(time).RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var wait = await time.NextTimerExceptAsync(TenSeconds);
            waits.Add(wait);
            time.Advance(wait);
        }

        var outcome = await run;
        Assert.True(outcome.Success);
        Assert.Equal(4, outcome.Attempts);
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], waits);
    }

    [Fact]
    public async Task Exhausted_retries_report_giving_up_with_the_attempt_count()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(500, "boom"));
        var time = new RecordingTimeProvider();
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url(), Retries = 2 };

        var run = Runner(time).RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);
        for (var i = 0; i < 2; i++)
        {
            time.Advance(await time.NextTimerExceptAsync(TenSeconds));
        }

        var outcome = await run;
        Assert.False(outcome.Success);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal($"POST {receiver.Url()} giving up after 3 attempt(s): unexpected HTTP status 500 Internal Server Error", outcome.Error);
    }

    [Fact]
    public async Task Retry_after_header_on_429_sets_the_wait()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var first = true;
        receiver.Respond = (_, _) =>
        {
            var reply = first ? new ReceiverReply(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "7" }) : new ReceiverReply(202);
            first = false;
            return Task.FromResult(reply);
        };
        var time = new RecordingTimeProvider();
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url(), Retries = 1 };

        var run = Runner(time).RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);
        var wait = await time.NextTimerExceptAsync(TenSeconds);
        time.Advance(wait);

        Assert.Equal(TimeSpan.FromSeconds(7), wait);
        Assert.True((await run).Success);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(4, 16)]
    [InlineData(5, 30)]
    [InlineData(60, 30)]
    [InlineData(2000, 30)]
    public void Backoff_doubles_from_one_second_and_caps_at_thirty(int retryIndex, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Runner().Backoff(retryIndex, 500, null));

    [Fact]
    public async Task Connection_errors_are_retried_then_reported()
    {
        var port = ClosedPort();
        var time = new RecordingTimeProvider();
        var url = $"http://127.0.0.1:{port}/";
        var hook = new CanaryWebhook { Name = "down", Url = url, Retries = 1 };

        var run = Runner(time).RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);
        time.Advance(await time.NextTimerExceptAsync(TenSeconds));
        var outcome = await run;

        Assert.False(outcome.Success);
        Assert.Null(outcome.StatusCode);
        Assert.Equal(2, outcome.Attempts);
        Assert.StartsWith($"POST {url} giving up after 2 attempt(s): Post \"{url}\": ", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_hook_times_out_after_its_timeout()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var release = new TaskCompletionSource<ReceiverReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Respond = async (_, ct) =>
        {
            await using var registration = ct.Register(() => release.TrySetCanceled());
            return await release.Task;
        };
        var time = new RecordingTimeProvider();
        var hook = new CanaryWebhook { Name = "slow", Url = receiver.Url(), Timeout = "3s" };

        var run = Runner(time).RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(3), await time.NextTimerAsync());
        await receiver.NextAsync();
        time.Advance(TimeSpan.FromSeconds(3));
        var outcome = await run;
        release.TrySetResult(new ReceiverReply(200));

        Assert.False(outcome.Success);
        Assert.Equal(1, outcome.Attempts);
        Assert.Equal($"POST {receiver.Url()} giving up after 1 attempt(s): Post \"{receiver.Url()}\": timeout after 3s (webhook timeout exceeded while awaiting the response)", outcome.Error);
    }

    [Theory]
    [InlineData("8m", 480)]
    [InlineData("1h", 3600)]
    [InlineData("3h", 3600)]
    public async Task A_hooks_own_timeout_is_honoured_up_to_one_hour(string timeout, int seconds)
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var time = new RecordingTimeProvider();
        var hook = new CanaryWebhook { Name = "migrate", Url = receiver.Url(), Timeout = timeout };

        var outcome = await Runner(time).RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.True(outcome.Success);
        Assert.Equal(TimeSpan.FromSeconds(seconds), await time.NextTimerAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5")]
    public async Task Timeout_defaults_to_ten_seconds_also_when_shorter_than_two_characters(string? timeout)
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var time = new RecordingTimeProvider();
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url(), Timeout = timeout };

        var outcome = await Runner(time).RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.True(outcome.Success);
        Assert.Equal(TenSeconds, await time.NextTimerAsync());
    }

    [Theory]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("300ms", 300)]
    [InlineData("-2s", -2000)]
    [InlineData("0", 0)]
    public void Go_durations_parse(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("ten seconds")]
    [InlineData("5d")]
    public async Task A_bad_timeout_is_an_error_naming_the_field_without_calling(string timeout)
    {
        await using var receiver = await LocalReceiver.StartAsync();
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url(), Timeout = timeout };

        var outcome = await Runner().RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal(0, outcome.Attempts);
        Assert.StartsWith("webhook check: timeout: ", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://host/x")]
    public async Task A_bad_url_is_an_error_naming_the_field(string? url)
    {
        var hook = new CanaryWebhook { Name = "check", Url = url };

        var outcome = await Runner().RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal(0, outcome.Attempts);
        Assert.Equal($"webhook check: url \"{url}\" is not an absolute http(s) URL", outcome.Error);
    }

    [Fact]
    public async Task A_long_error_body_is_truncated()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(new ReceiverReply(400, new string('x', 5000)));
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url() };

        var outcome = await Runner().RunAsync(Canary(hook), hook, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.Equal(new string('x', 1024) + "… (truncated, 5000 bytes)", outcome.Error);
    }

    [Fact]
    public async Task Disable_tls_skips_certificate_verification()
    {
        await using var receiver = await LocalReceiver.StartAsync(https: true);
        Assert.StartsWith("https://", receiver.BaseUrl, StringComparison.Ordinal);
        var insecure = new CanaryWebhook { Name = "tls", Url = receiver.Url(), DisableTls = true };
        var strict = new CanaryWebhook { Name = "tls", Url = receiver.Url(), Retries = 3 };
        var runner = Runner();

        var skipped = await runner.RunAsync(Canary(insecure), insecure, CanaryPhase.Progressing, TestContext.Current.CancellationToken);
        var verified = await runner.RunAsync(Canary(strict), strict, CanaryPhase.Progressing, TestContext.Current.CancellationToken);

        Assert.True(skipped.Success, skipped.Error);
        Assert.False(verified.Success);
        Assert.Equal(1, verified.Attempts); // certificate errors are not retried
        Assert.StartsWith($"POST {receiver.Url()} giving up after 1 attempt(s): ", verified.Error, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public void The_insecure_client_uses_no_proxy_like_upstreams_bare_transport()
    {
        using var clients = new WebhookHttpClients();
        Assert.False(clients.InsecureHandler.UseProxy);
        Assert.NotNull(clients.InsecureHandler.SslOptions.RemoteCertificateValidationCallback);
        Assert.Same(clients.Insecure, clients.For(disableTls: true));
        Assert.Same(clients.Verified, clients.For(disableTls: false));
    }

    [Fact]
    public void A_password_in_the_url_is_redacted()
    {
        Assert.Equal("http://user:xxxxx@host/x", HttpWebhookRunner.Redact(new Uri("http://user:secret@host/x")));
        Assert.Equal("http://host/x", HttpWebhookRunner.Redact(new Uri("http://host/x")));
    }

    [Fact]
    public async Task Caller_cancellation_is_not_turned_into_an_outcome()
    {
        await using var receiver = await LocalReceiver.StartAsync();
        receiver.Respond = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new ReceiverReply(200);
        };
        var hook = new CanaryWebhook { Name = "check", Url = receiver.Url() };
        using var cts = new CancellationTokenSource();

        var run = Runner().RunAsync(Canary(hook), hook, CanaryPhase.Progressing, cts.Token);
        await receiver.NextAsync();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
