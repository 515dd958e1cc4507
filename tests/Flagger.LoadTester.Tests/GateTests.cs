using Microsoft.Extensions.DependencyInjection;

namespace Flagger.LoadTester.Tests;

public sealed class GateTests
{
    private const string Podinfo = """{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"abc"}""";
    private const string Other = """{"name":"other","namespace":"test"}""";

    [Fact]
    public async Task Healthz_approve_and_halt_answer_as_upstream_for_any_method()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((200, "OK"), await host.SendAsync(HttpMethod.Get, "/healthz"));
        Assert.Equal((200, ""), await host.SendAsync(HttpMethod.Head, "/healthz"));
        Assert.Equal((200, "OK"), await host.PostAsync("/gate/approve", Podinfo));
        Assert.Equal((403, "Forbidden"), await host.PostAsync("/gate/halt", Podinfo));
    }

    [Fact]
    public async Task A_gate_is_closed_until_opened_and_closes_again()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((403, "Forbidden"), await host.PostAsync("/gate/check", Podinfo));
        Assert.Equal((202, ""), await host.PostAsync("/gate/open", Podinfo));
        Assert.Equal((200, "Approved"), await host.PostAsync("/gate/check", Podinfo));
        Assert.Equal((403, "Forbidden"), await host.PostAsync("/gate/check", Other));
        Assert.Equal((403, "Forbidden"), await host.PostAsync("/rollback/check", Podinfo));
        Assert.Equal((202, ""), await host.PostAsync("/gate/close", Podinfo));
        Assert.Equal((403, "Forbidden"), await host.PostAsync("/gate/check", Podinfo));
    }

    [Fact]
    public async Task A_rollback_gate_is_independent_of_the_gate()
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((403, "Forbidden"), await host.PostAsync("/rollback/check", Podinfo));
        Assert.Equal((202, ""), await host.PostAsync("/rollback/open", Podinfo));
        Assert.Equal((200, "Approved"), await host.PostAsync("/rollback/check", Podinfo));
        Assert.Equal((403, "Forbidden"), await host.PostAsync("/gate/check", Podinfo));
        Assert.Equal((202, ""), await host.PostAsync("/rollback/close", Podinfo));
        Assert.Equal((403, "Forbidden"), await host.PostAsync("/rollback/check", Podinfo));
    }

    [Fact]
    public async Task Payload_keys_match_case_insensitively_like_go()
    {
        await using var host = await LoadTesterHost.StartAsync();

        await host.PostAsync("/gate/open", """{"Name":"podinfo","NAMESPACE":"test"}""");

        Assert.Equal((200, "Approved"), await host.PostAsync("/gate/check", Podinfo));
    }

    [Theory]
    [InlineData("/gate/check")]
    [InlineData("/gate/open")]
    [InlineData("/gate/close")]
    [InlineData("/rollback/check")]
    [InlineData("/rollback/open")]
    [InlineData("/rollback/close")]
    [InlineData("/")]
    public async Task A_body_that_is_not_a_payload_is_400_with_no_text(string path)
    {
        await using var host = await LoadTesterHost.StartAsync();

        Assert.Equal((400, ""), await host.PostAsync(path, "not json"));
        Assert.Equal((400, ""), await host.PostAsync(path, """{"name":"podinfo","metadata":{"cmd":42}}"""));
        Assert.Equal((400, ""), await host.SendAsync(HttpMethod.Get, path));
    }

    [Theory]
    [InlineData("/gate/check")]
    [InlineData("/gate/open")]
    [InlineData("/gate/close")]
    [InlineData("/rollback/check")]
    [InlineData("/rollback/open")]
    [InlineData("/rollback/close")]
    [InlineData("/")]
    public async Task A_namespace_outside_the_regexp_is_forbidden(string path)
    {
        await using var host = await LoadTesterHost.StartAsync(new LoadTesterOptions
        {
            StateDir = LoadTesterHost.NewStateDir(),
            NamespaceRegexp = new System.Text.RegularExpressions.Regex("^prod-"),
        });

        Assert.Equal((403, "Forbidden"), await host.PostAsync(path, """{"name":"podinfo","namespace":"test","metadata":{"type":"bash","cmd":"true"}}"""));
    }

    [Fact]
    public async Task A_namespace_matching_the_regexp_is_served()
    {
        await using var host = await LoadTesterHost.StartAsync(new LoadTesterOptions
        {
            StateDir = LoadTesterHost.NewStateDir(),
            NamespaceRegexp = new System.Text.RegularExpressions.Regex("^prod-"),
        });
        const string payload = """{"name":"podinfo","namespace":"prod-eu"}""";

        Assert.Equal((202, ""), await host.PostAsync("/gate/open", payload));
        Assert.Equal((200, "Approved"), await host.PostAsync("/gate/check", payload));
    }

    [Fact]
    public async Task Open_gates_survive_a_restart_through_the_state_file()
    {
        var stateDir = LoadTesterHost.NewStateDir();
        var options = new LoadTesterOptions { StateDir = stateDir };
        await using (var first = await LoadTesterHost.StartAsync(options))
        {
            await first.PostAsync("/gate/open", Podinfo);
            await first.PostAsync("/rollback/open", Other);
            await first.PostAsync("/gate/open", Other);
            await first.PostAsync("/gate/close", Other);
        }

        Assert.True(File.Exists(Path.Combine(stateDir, GateStore.FileName)));
        await using var second = await LoadTesterHost.StartAsync(options);

        Assert.Equal((200, "Approved"), await second.PostAsync("/gate/check", Podinfo));
        Assert.Equal((200, "Approved"), await second.PostAsync("/rollback/check", Other));
        Assert.Equal((403, "Forbidden"), await second.PostAsync("/gate/check", Other));
        Assert.Equal((403, "Forbidden"), await second.PostAsync("/rollback/check", Podinfo));
    }

    [Fact]
    public async Task A_damaged_state_file_starts_with_closed_gates()
    {
        var stateDir = LoadTesterHost.NewStateDir();
        await File.WriteAllTextAsync(Path.Combine(stateDir, GateStore.FileName), "{ not json", TestContext.Current.CancellationToken);

        await using var host = await LoadTesterHost.StartAsync(new LoadTesterOptions { StateDir = stateDir });

        Assert.Equal((403, "Forbidden"), await host.PostAsync("/gate/check", Podinfo));
        Assert.Equal((202, ""), await host.PostAsync("/gate/open", Podinfo));
        Assert.Equal((200, "Approved"), await host.PostAsync("/gate/check", Podinfo));
    }

    [Fact]
    public async Task Without_a_state_dir_gates_live_in_memory_only()
    {
        await using var host = await LoadTesterHost.StartAsync(new LoadTesterOptions { StateDir = "" });

        Assert.Equal((202, ""), await host.PostAsync("/gate/open", Podinfo));
        Assert.Equal((200, "Approved"), await host.PostAsync("/gate/check", Podinfo));
        Assert.Null(host.Services.GetRequiredService<GateStore>().FilePath);
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_format()
    {
        await using var host = await LoadTesterHost.StartAsync();

        var (status, body) = await host.SendAsync(HttpMethod.Get, "/metrics");

        Assert.Equal(200, status);
        Assert.Contains("# TYPE ", body, StringComparison.Ordinal);
    }
}
