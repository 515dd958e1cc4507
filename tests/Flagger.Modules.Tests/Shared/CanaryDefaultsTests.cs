using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Tests.Shared;

public sealed class CanaryDefaultsTests
{
    private static Canary Canary(CanaryAnalysis? analysis = null, CanaryService? service = null, string? provider = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
        Spec = new CanarySpec
        {
            Provider = provider,
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
            Service = service ?? new CanaryService { Port = 9898 },
            Analysis = analysis,
        },
    };

    [Fact]
    public void An_empty_canary_resolves_to_upstreams_defaults()
    {
        var settings = CanaryDefaults.Resolve(Canary(new CanaryAnalysis()));

        Assert.Equal("istio", settings.Provider);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Interval);
        Assert.Equal(1, settings.Threshold);
        Assert.Equal(100, settings.MaxWeight);
        Assert.Equal("http", settings.PortName);
        Assert.Equal("9898", settings.TargetPort?.Value);
        Assert.Equal(["mesh"], settings.Gateways);
        Assert.Equal(100, settings.PrimaryReadyThreshold);
        Assert.Equal(100, settings.CanaryReadyThreshold);
        Assert.Equal(600, settings.ProgressDeadlineSeconds);
        Assert.Equal(86400, settings.SessionAffinityMaxAge);
        Assert.Equal(("podinfo", "podinfo-primary", "podinfo-canary"), (settings.ApexServiceName, settings.PrimaryServiceName, settings.CanaryServiceName));
        Assert.Equal(DeploymentStrategy.Canary, settings.Strategy);
        Assert.False(settings.SkipAnalysis);
        Assert.False(settings.Mirroring);
    }

    [Theory]
    [InlineData(null, 60)]
    [InlineData("", 60)]
    [InlineData("not-a-duration", 60)]
    [InlineData("5s", 10)]
    [InlineData("9s", 10)]
    [InlineData("10s", 10)]
    [InlineData("15s", 15)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    public void Analysis_interval_defaults_to_60s_and_never_drops_below_10s(string? interval, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), CanaryDefaults.GetAnalysisInterval(new CanaryAnalysis { Interval = interval }));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(0, 1)]
    [InlineData(-3, 1)]
    [InlineData(5, 5)]
    public void Threshold_is_at_least_one(int? threshold, int expected)
    {
        Assert.Equal(expected, CanaryDefaults.GetThreshold(new CanaryAnalysis { Threshold = threshold }));
    }

    [Theory]
    [InlineData(null, null, 100)]
    [InlineData(0, null, 100)]
    [InlineData(50, null, 50)]
    [InlineData(null, new[] { 1, 2, 10, 80 }, 80)]
    [InlineData(30, new[] { 10, 20, 60 }, 60)]
    [InlineData(null, new[] { 1, 2, 10, 200 }, 100)]
    public void Max_weight_comes_from_stepWeights_then_maxWeight_then_100(int? maxWeight, int[]? stepWeights, int expected)
    {
        var analysis = new CanaryAnalysis { MaxWeight = maxWeight, StepWeights = stepWeights?.ToList() };

        Assert.Equal(expected, CanaryDefaults.GetMaxWeight(analysis));
    }

    [Fact]
    public void Deployment_strategy_follows_upstreams_rules_and_labels()
    {
        var headerMatch = new List<HttpMatchRequest> { new() { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } } };

        Assert.Equal(DeploymentStrategy.Canary, CanaryDefaults.GetDeploymentStrategy(null));
        Assert.Equal(DeploymentStrategy.Canary, CanaryDefaults.GetDeploymentStrategy(new CanaryAnalysis { StepWeight = 10 }));
        Assert.Equal(DeploymentStrategy.Canary, CanaryDefaults.GetDeploymentStrategy(new CanaryAnalysis { StepWeight = 10, Match = headerMatch }));
        Assert.Equal(DeploymentStrategy.BlueGreen, CanaryDefaults.GetDeploymentStrategy(new CanaryAnalysis { Iterations = 5 }));
        Assert.Equal(DeploymentStrategy.BlueGreen, CanaryDefaults.GetDeploymentStrategy(new CanaryAnalysis { Iterations = 5, Match = [] }));
        Assert.Equal(DeploymentStrategy.ABTesting, CanaryDefaults.GetDeploymentStrategy(new CanaryAnalysis { Iterations = 5, Match = headerMatch }));
        Assert.Equal(DeploymentStrategy.Canary, CanaryDefaults.GetDeploymentStrategy(new CanaryAnalysis { Iterations = 0, Match = headerMatch }));

        Assert.Equal("canary", DeploymentStrategy.Canary.ToMetricLabel());
        Assert.Equal("blue-green", DeploymentStrategy.BlueGreen.ToMetricLabel());
        Assert.Equal("ab-testing", DeploymentStrategy.ABTesting.ToMetricLabel());
    }

    [Fact]
    public void Mirroring_applies_to_canary_and_blue_green_runs_but_not_to_ab_testing()
    {
        var match = new List<HttpMatchRequest> { new() { Headers = new() { ["x"] = new StringMatch { Exact = "y" } } } };

        Assert.True(CanaryDefaults.Resolve(Canary(new CanaryAnalysis { StepWeight = 10, Mirror = true })).Mirroring);
        Assert.True(CanaryDefaults.Resolve(Canary(new CanaryAnalysis { Iterations = 5, Mirror = true })).Mirroring);
        Assert.False(CanaryDefaults.Resolve(Canary(new CanaryAnalysis { Iterations = 5, Mirror = true, Match = match })).Mirroring);
    }

    [Fact]
    public void Explicit_values_win_over_defaults()
    {
        var canary = Canary(
            new CanaryAnalysis
            {
                Interval = "30s", Threshold = 7, MaxWeight = 40, StepWeight = 5, StepWeightPromotion = 20, MirrorWeight = 25,
                PrimaryReadyThreshold = 0, CanaryReadyThreshold = 50,
                SessionAffinity = new SessionAffinity { CookieName = "c", MaxAge = 60 },
            },
            new CanaryService { Name = "frontend", Port = 80, PortName = "http-web", TargetPort = "web", Gateways = ["public-gw"] },
            provider: "gatewayapi:v1");
        canary.Spec.ProgressDeadlineSeconds = 90;

        var settings = CanaryDefaults.Resolve(canary, defaultProvider: "linkerd");

        Assert.Equal("gatewayapi:v1", settings.Provider);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Interval);
        Assert.Equal((7, 40, 5, 20, 25), (settings.Threshold, settings.MaxWeight, settings.StepWeight, settings.StepWeightPromotion, settings.MirrorWeight));
        Assert.Equal((0, 50), (settings.PrimaryReadyThreshold, settings.CanaryReadyThreshold));
        Assert.Equal(60, settings.SessionAffinityMaxAge);
        Assert.Equal(90, settings.ProgressDeadlineSeconds);
        Assert.Equal(("frontend", "frontend-primary", "frontend-canary"), (settings.ApexServiceName, settings.PrimaryServiceName, settings.CanaryServiceName));
        Assert.Equal(("http-web", "web"), (settings.PortName, settings.TargetPort?.Value));
        Assert.Equal(["public-gw"], settings.Gateways);
    }

    [Fact]
    public void Global_provider_applies_when_spec_provider_is_empty()
    {
        Assert.Equal("linkerd", CanaryDefaults.Resolve(Canary(new CanaryAnalysis()), defaultProvider: "linkerd").Provider);
    }

    [Fact]
    public void Skip_analysis_is_implied_when_there_is_no_analysis()
    {
        Assert.True(CanaryDefaults.Resolve(Canary(analysis: null)).SkipAnalysis);
        var skip = Canary(new CanaryAnalysis());
        skip.Spec.SkipAnalysis = true;
        Assert.True(CanaryDefaults.Resolve(skip).SkipAnalysis);
    }

    [Fact]
    public void Every_metric_gets_a_1m_interval_when_unset_including_template_metrics()
    {
        var settings = CanaryDefaults.Resolve(Canary(new CanaryAnalysis
        {
            Metrics =
            [
                new CanaryMetric { Name = "request-success-rate" },
                new CanaryMetric { Name = "latency", TemplateRef = new CrossNamespaceObjectReference { Name = "latency" } },
                new CanaryMetric { Name = "errors", TemplateRef = new CrossNamespaceObjectReference { Name = "errors" }, Interval = "30s" },
            ],
        }));

        Assert.Equal(["1m", "1m", "30s"], settings.Metrics.Select(m => m.Interval));
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)], settings.Metrics.Select(m => m.IntervalDuration));
    }

    [Theory]
    [InlineData(null, 10_000)]
    [InlineData("", 10_000)]
    [InlineData("5", 10_000)]
    [InlineData("5s", 5_000)]
    [InlineData("1m", 60_000)]
    [InlineData("500ms", 500)]
    public void Webhook_timeout_defaults_to_10s_also_for_texts_shorter_than_two_characters(string? timeout, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), CanaryDefaults.GetWebhookTimeout(new CanaryWebhook { Timeout = timeout }));
    }

    [Fact]
    public void Webhook_type_defaults_to_rollout()
    {
        var settings = CanaryDefaults.Resolve(Canary(new CanaryAnalysis
        {
            Webhooks = [new CanaryWebhook { Name = "load", Url = "http://lt/" }, new CanaryWebhook { Name = "gate", Type = "confirm-promotion", Url = "http://lt/gate", Retries = 2 }],
        }));

        Assert.Equal(["rollout", "confirm-promotion"], settings.Webhooks.Select(w => w.Type));
        Assert.Equal([0, 2], settings.Webhooks.Select(w => w.Retries));
        Assert.All(settings.Webhooks, w => Assert.Equal(TimeSpan.FromSeconds(10), w.Timeout));
    }

    [Fact]
    public void Gateways_are_never_extended_with_mesh_when_set()
    {
        Assert.Equal(["mesh"], CanaryDefaults.GetGateways(new CanaryService { Gateways = [] }));
        Assert.Equal(["istio-ingress/public"], CanaryDefaults.GetGateways(new CanaryService { Gateways = ["istio-ingress/public"] }));
    }

    [Fact]
    public void Resolving_a_canary_without_target_or_service_does_not_throw()
    {
        var settings = CanaryDefaults.Resolve(new Canary());

        Assert.Equal("", settings.TargetName);
        Assert.Equal("-primary", settings.PrimaryServiceName);
        Assert.Null(settings.Port);
        Assert.Null(settings.TargetPort);
        Assert.True(settings.SkipAnalysis);
    }
}
