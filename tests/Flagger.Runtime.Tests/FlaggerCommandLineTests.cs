using Flagger.Runtime.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flagger.Runtime.Tests;

public sealed class FlaggerCommandLineTests
{
    private static FlaggerOptions Bind(params string[] args) => Bind(args, _ => null);

    private static FlaggerOptions Bind(string[] args, Func<string, string?> environment)
    {
        var result = FlaggerCommandLine.Parse(args, environment);
        Assert.Empty(result.Errors);
        var options = new FlaggerOptions();
        new ConfigurationBuilder().AddInMemoryCollection(result.Values).Build().GetSection(FlaggerOptions.Section).Bind(options);
        return options;
    }

    [Fact]
    public void Upstream_go_style_flags_from_the_helm_chart_are_accepted()
    {
        var options = Bind(
            "-log-level=info", "-mesh-provider=istio", "-metrics-server=http://prometheus.istio-system:9090",
            "-enable-leader-election=true", "-leader-election-namespace=flagger-system", "-include-label-prefix=app.kubernetes.io",
            "-enable-config-tracking=false", "-selector-labels=app,name", "-cluster-name=prod-eu", "-no-cross-namespace-refs=true");

        Assert.Equal("info", options.LogLevel);
        Assert.Equal("http://prometheus.istio-system:9090", options.MetricsServer);
        Assert.True(options.EnableLeaderElection);
        Assert.Equal("flagger-system", options.LeaderElectionNamespace);
        Assert.Equal("app.kubernetes.io", options.IncludeLabelPrefix);
        Assert.False(options.EnableConfigTracking);
        Assert.Equal("app,name", options.SelectorLabels);
        Assert.Equal("prod-eu", options.ClusterName);
        Assert.True(options.NoCrossNamespaceRefs);
    }

    [Fact]
    public void Gnu_style_flags_with_separate_values_and_bare_booleans_work()
    {
        var options = Bind("--mesh-provider", "kubernetes", "--enable-leader-election", "--port", "9090", "--min-analysis-interval", "500ms");

        Assert.Equal("kubernetes", options.MeshProvider);
        Assert.True(options.EnableLeaderElection);
        Assert.Equal(9090, options.Port);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.MinAnalysisInterval);
    }

    [Fact]
    public void Threadiness_bounds_the_concurrent_canary_steps()
    {
        Assert.Equal(2, StepSlots(Bind()));
        Assert.Equal(7, StepSlots(Bind("-threadiness=7")));
        Assert.Equal(1, StepSlots(Bind("-threadiness=0")));
    }

    private static int StepSlots(FlaggerOptions options)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        Flagger.Runtime.Hosting.RuntimeComposition.AddFlaggerModules(builder, options);
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<Flagger.Modules.Rollout.Reconciler.RolloutOptions>>().Value.MaxConcurrentSteps;
    }

    [Fact]
    public void Defaults_match_upstream()
    {
        var options = Bind();

        Assert.Equal("istio", options.MeshProvider);
        Assert.Equal("http://prometheus:9090", options.MetricsServer);
        Assert.Equal("app,name,app.kubernetes.io/name", options.SelectorLabels);
        Assert.True(options.EnableConfigTracking);
        Assert.Equal("nginx.ingress.kubernetes.io", options.IngressAnnotationsPrefix);
        Assert.Equal("kube-system", options.LeaderElectionNamespace);
        Assert.Equal("flagger", options.SlackUser);
        Assert.Equal(8080, options.Port);
        Assert.Equal(TimeSpan.FromSeconds(10), options.MinAnalysisInterval);
    }

    [Fact]
    public void Upstream_environment_variables_win_over_flags_as_upstream_fromEnv_does()
    {
        var env = new Dictionary<string, string> { ["EVENT_WEBHOOK_URL"] = "http://sink/", ["SLACK_URL"] = "http://secret-slack/", ["SLACK_CHANNEL"] = "ignored" };

        var options = Bind(["-slack-url=http://flag-slack/", "-slack-channel=flag"], name => env.GetValueOrDefault(name));

        Assert.Equal("http://sink/", options.EventWebhook);
        Assert.Equal("http://secret-slack/", options.SlackUrl);
        Assert.Equal("flag", options.SlackChannel);
    }

    [Theory]
    [InlineData("-mesh-providr=istio", "flag provided but not defined: -mesh-providr")]
    [InlineData("-enable-leader-election=maybe", "invalid boolean value \"maybe\" for flag -enable-leader-election")]
    [InlineData("--metrics-server", "flag needs an argument: -metrics-server")]
    [InlineData("-min-analysis-interval=soon", "invalid duration \"soon\" for flag -min-analysis-interval: use Go syntax such as 10s, 1m or 500ms")]
    [InlineData("istio", "unexpected argument \"istio\"")]
    public void Bad_flags_are_reported_with_the_flag_named(string arg, string expected)
    {
        var result = FlaggerCommandLine.Parse([arg], _ => null);

        Assert.Equal([expected], result.Errors);
    }
}
