using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.LoadTester.Tests;

public sealed class TaskTests
{
    private static string Task(string? type, string? cmd, Dictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string>(extra ?? []);
        if (type is not null)
        {
            metadata["type"] = type;
        }

        if (cmd is not null)
        {
            metadata["cmd"] = cmd;
        }

        return JsonSerializer.Serialize(new { name = "podinfo", @namespace = "test", phase = "Progressing", checksum = "x", metadata });
    }

    [Fact]
    public async Task Missing_or_empty_metadata_is_400()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((400, "metadata not found in payload"), await host.PostAsync("/", """{"name":"podinfo","namespace":"test"}"""));
        Assert.Equal((400, "metadata not found in payload"), await host.PostAsync("/", """{"name":"podinfo","namespace":"test","metadata":{}}"""));
    }

    [Fact]
    public async Task An_unknown_task_type_is_400()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((400, "unknown task type nope"), await host.PostAsync("/", Task("nope", "x")));
        var (status, body) = await host.PostAsync("/", Task("concord", "x"));
        Assert.Equal(400, status);
        Assert.StartsWith("unknown task type concord", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cmd_is_the_default_type_and_runs_in_the_background()
    {
        await using var host = await LoadTesterHost.StartAsync();
        var dir = LoadTesterHost.NewStateDir();
        var marker = Path.Combine(dir, "ran");

        Assert.Equal((202, ""), await host.PostAsync("/", Task(null, $"echo hello > {marker}", new() { ["logCmdOutput"] = "true" })));
        await System.Threading.Tasks.Task.WhenAll(host.Services.GetRequiredService<TaskRunner>().Running());

        Assert.Equal("hello\n", await File.ReadAllTextAsync(marker, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Cmd_without_cmd_is_400()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((400, "cmd not found in metadata"), await host.PostAsync("/", Task("cmd", null, new() { ["logCmdOutput"] = "true" })));
    }

    [Fact]
    public async Task The_same_cmd_task_is_not_started_twice_while_it_runs()
    {
        await using var host = await LoadTesterHost.StartAsync();
        var runner = host.Services.GetRequiredService<TaskRunner>();
        var dir = LoadTesterHost.NewStateDir();
        var go = Path.Combine(dir, "go");
        var log = Path.Combine(dir, "log");
        var command = $"while [ ! -f {go} ]; do sleep 0.05; done; echo ran >> {log}";

        Assert.Equal((202, ""), await host.PostAsync("/", Task("cmd", command)));
        Assert.Equal((202, ""), await host.PostAsync("/", Task("cmd", command)));
        Assert.Equal((202, ""), await host.PostAsync("/", Task("cmd", "true")));
        Assert.Equal(2, runner.TotalExecs);
        await File.WriteAllTextAsync(go, "", TestContext.Current.CancellationToken);
        await System.Threading.Tasks.Task.WhenAll(runner.Running());

        Assert.Equal("ran\n", await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Bash_blocks_and_returns_combined_output_when_asked()
    {
        await using var host = await LoadTesterHost.StartAsync();

        var (status, body) = await host.PostAsync("/", Task("bash", "echo out; echo err >&2", new() { ["returnCmdOutput"] = "true" }));

        // stdout and stderr are two pipes read concurrently: both lines arrive, their order is the scheduler's.
        Assert.Equal(200, status);
        Assert.Equal(["err", "out"], body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        Assert.Equal((200, ""), await host.PostAsync("/", Task("bash", "echo quiet")));
    }

    [Fact]
    public async Task A_failing_bash_task_is_500_with_the_output_and_exit_status()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((500, "command echo nope; exit 3 failed: nope\n: exit status 3"), await host.PostAsync("/", Task("bash", "echo nope; exit 3")));
    }

    [Fact]
    public async Task Bash_answers_as_upstreams_server_tests_expect()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((500, "command false failed: : exit status 1"), await host.PostAsync("/", Task("bash", "false")));
        Assert.Equal((200, "some-output-to-be-returned\n"), await host.PostAsync("/", Task("bash", "echo some-output-to-be-returned", new() { ["returnCmdOutput"] = "true" })));
    }

    [Fact]
    public async Task A_task_that_outlives_the_timeout_is_killed_and_fails()
    {
        var time = new RecordingTimeProvider();
        await using var host = await LoadTesterHost.StartAsync(new LoadTesterOptions { StateDir = "", Timeout = TimeSpan.FromSeconds(90) }, time);

        var post = host.PostAsync("/", Task("bash", "echo started; sleep 60"));
        Assert.Equal(TimeSpan.FromSeconds(90), await time.NextTimerAsync());

        // Other 90s timers (the request's own) may be recorded first under load: keep the fake clock moving until the
        // command's timeout has fired and the answer is back.
        while (!post.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(90));
            await System.Threading.Tasks.Task.WhenAny(post, System.Threading.Tasks.Task.Delay(100, TestContext.Current.CancellationToken));
        }

        var (status, body) = await post;

        Assert.Equal(500, status);
        Assert.StartsWith("command echo started; sleep 60 failed: ", body, StringComparison.Ordinal);
        Assert.EndsWith(": signal: killed (timeout 90s exceeded)", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_runs_when_installed_and_is_a_clear_500_otherwise()
    {
        await using var host = await LoadTesterHost.StartAsync();

        var (status, body) = await host.PostAsync("/", Task("kubectl", "version --client", new() { ["returnCmdOutput"] = "true" }));

        if (ShellCommand.ResolveExecutable("kubectl") is null)
        {
            Assert.Equal((500, "command version --client failed: : exec: \"kubectl\": executable file not found in $PATH"), (status, body));
        }
        else
        {
            Assert.Equal(200, status);
            Assert.Contains("Client Version", body, StringComparison.Ordinal);
            var (failedStatus, failedBody) = await host.PostAsync("/", Task("kubectl", "no-such-subcommand"));
            Assert.Equal(500, failedStatus);
            Assert.StartsWith("command no-such-subcommand failed: ", failedBody, StringComparison.Ordinal);
            Assert.EndsWith("exit status 1", failedBody, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("helm")]
    [InlineData("helmv3")]
    public async Task Helm_runs_when_installed_and_is_a_clear_500_otherwise(string type)
    {
        await using var host = await LoadTesterHost.StartAsync();

        var (status, body) = await host.PostAsync("/", Task(type, "version --short", new() { ["returnCmdOutput"] = "true" }));

        if (ShellCommand.ResolveExecutable("helm") is null)
        {
            Assert.Equal((500, "command version --short failed: : exec: \"helm\": executable file not found in $PATH"), (status, body));
        }
        else
        {
            Assert.Equal(200, status);
            Assert.StartsWith("v3", body, StringComparison.Ordinal);
        }
    }
}
