namespace Flagger.LoadTester.Tests;

public sealed class CommandLineTests
{
    private static readonly Func<string, string?> NoEnv = _ => null;

    [Fact]
    public void Upstream_flags_parse_in_go_style()
    {
        var (options, error) = CommandLine.Parse(
            ["-port=8080", "-log-level=info", "-timeout=1h30m", "-namespace-regexp=^test$", "--zap-encoding", "console", "-zap-replace-globals", "-state-dir=/data"], NoEnv);

        Assert.Null(error);
        Assert.Equal(8080, options!.Port);
        Assert.Equal("info", options.LogLevel);
        Assert.Equal(TimeSpan.FromMinutes(90), options.Timeout);
        Assert.Matches(options.NamespaceRegexp!, "test");
        Assert.DoesNotMatch(options.NamespaceRegexp!, "test2");
        Assert.Equal("console", options.LogEncoding);
        Assert.Equal("/data", options.StateDir);
    }

    [Fact]
    public void Defaults_are_upstreams()
    {
        var (options, _) = CommandLine.Parse([], NoEnv);

        Assert.Equal(9090, options!.Port);
        Assert.Equal(TimeSpan.FromHours(1), options.Timeout);
        Assert.Null(options.NamespaceRegexp);
        Assert.Equal("debug", options.LogLevel);
        Assert.Equal("json", options.LogEncoding);
        Assert.False(string.IsNullOrEmpty(options.StateDir));
    }

    [Fact]
    public void The_chart_s_empty_namespace_regexp_means_no_restriction() =>
        Assert.Null(CommandLine.Parse(["-namespace-regexp="], NoEnv).Options!.NamespaceRegexp);

    [Fact]
    public void The_state_dir_comes_from_the_environment_unless_the_flag_is_given()
    {
        Assert.Equal("/env", CommandLine.Parse([], n => n == "LOADTESTER_STATE_DIR" ? "/env" : null).Options!.StateDir);
        Assert.Equal("/flag", CommandLine.Parse(["-state-dir=/flag"], n => n == "LOADTESTER_STATE_DIR" ? "/env" : null).Options!.StateDir);
    }

    [Theory]
    [InlineData("-bogus=1", "flag provided but not defined: -bogus")]
    [InlineData("-port=http", "invalid value \"http\" for flag -port: must be a TCP port number")]
    [InlineData("-timeout=10", "invalid value \"10\" for flag -timeout: parse error (a positive Go duration such as 30s, 5m, 1h is expected)")]
    [InlineData("-log-level=loud", "invalid value \"loud\" for flag -log-level: one of debug, info, warning, error")]
    [InlineData("-port", "flag needs an argument: -port")]
    [InlineData("serve", "unexpected argument \"serve\"")]
    public void Bad_flags_are_clear_errors(string arg, string error) =>
        Assert.Equal((null, error), CommandLine.Parse([arg], NoEnv));

    [Fact]
    public void A_bad_namespace_regexp_is_a_clear_error()
    {
        var (options, error) = CommandLine.Parse(["-namespace-regexp=(("], NoEnv);

        Assert.Null(options);
        Assert.StartsWith("invalid value \"((\" for flag -namespace-regexp: ", error, StringComparison.Ordinal);
    }
}
