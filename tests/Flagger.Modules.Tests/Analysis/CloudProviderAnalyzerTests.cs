using Flagger.Modules.Analysis;
using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Tests.Analysis.Providers;
using Flagger.Modules.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis;

/// <summary>
/// The new providers through the analyzer: a bad credential, an empty result or a misconfiguration of a cloud
/// MetricTemplate ends as a failed check whose event names the metric — never an exception, never a pass.
/// </summary>
public sealed class CloudProviderAnalyzerTests
{
    private readonly InMemoryKube _kube = new();

    private async Task<MetricCheckResult> Single(string template)
    {
        var analyzer = new CanaryAnalyzer(_kube, new MetricProviderFactory(new TestHttpClientFactory(), TimeProvider.System),
            Options.Create(new AnalysisOptions { MeshProvider = "istio", MetricsServer = "http://127.0.0.1:1" }), NullLogger<CanaryAnalyzer>.Instance);
        var result = await analyzer.AnalyzeAsync(Podinfo(TemplateMetric(template, template, max: 1)), TestContext.Current.CancellationToken);
        return Assert.Single(result.Metrics);
    }

    [Fact]
    public async Task A_wrong_splunk_token_is_an_error_event_naming_the_metric()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Data = _ => [[new(1, 2, 0.1)]];
        _kube.Seed(Template("test", "sfx", "splunk", fake.Url, "data('x').publish()", secret: "sfx"));
        _kube.Seed(Secret("test", "sfx", ("sf_token_key", "stale-token")));

        var r = await Single("sfx");
        Assert.Equal(MetricCheckOutcome.Error, r.Outcome);
        Assert.Equal("Metric query failed for sfx: error executing query: 401: Invalid auth token", r.Message);
        Assert.DoesNotContain("stale-token", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_splunk_stream_is_no_data_for_the_metric()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        _kube.Seed(Template("test", "sfx", "splunk", fake.Url, "data('x').publish()", secret: "sfx"));
        _kube.Seed(Secret("test", "sfx", ("sf_token_key", FakeSignalFx.Token)));

        var r = await Single("sfx");
        Assert.Equal(MetricCheckOutcome.NoData, r.Outcome);
        Assert.StartsWith("Halt advancement no values found for custom metric: sfx", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stackdriver_secret_without_project_is_a_provider_error()
    {
        _kube.Seed(Template("test", "gcp", "stackdriver", null, "fetch k8s_container", secret: "gcp"));
        _kube.Seed(Secret("test", "gcp", ("serviceAccountKey", "{}")));

        var r = await Single("gcp");
        Assert.Equal(MetricCheckOutcome.Error, r.Outcome);
        Assert.Equal("Metric template gcp.test provider stackdriver error: stackdriver credentials does not contain a project id", r.Message);
    }
}
