using Flagger.Modules.Analysis.Providers;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class ExternalMetricsProviderTests
{
    private static ExternalMetricsProvider Create(string address) =>
        new("1m", Provider("externalmetrics", address), Credentials(("token", "ext-token")), new HttpClient(), TimeProvider.System);

    [Fact]
    public async Task Query_names_namespace_metric_and_label_selector()
    {
        await using var server = new StubHttpServer(_ => (200,
            """{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[{"metricName":"job-success-rate","metricLabels":{"env":"production"},"timestamp":"2024-01-01T00:00:00Z","value":"995m"},{"metricName":"x","value":"1"}]}"""));
        var value = await Create(server.Url).RunQueryAsync("webapp-frontend/job-success-rate?labelSelector=env%3Dproduction", TestContext.Current.CancellationToken);

        Assert.Equal(0.995, value, 6);
        var r = server.Single();
        Assert.Equal("/apis/external.metrics.k8s.io/v1beta1/namespaces/webapp-frontend/job-success-rate", r.Path);
        Assert.Equal("env=production", r.Query["labelSelector"]);
        Assert.Equal("Bearer ext-token", r.Headers["Authorization"]);
    }

    [Theory]
    [InlineData("metric", "default", "metric", null)]
    [InlineData("/metric", "default", "metric", null)]
    [InlineData("ns/metric?labelSelector=a%3Db%2Cc%3Dd", "ns", "metric", "a=b,c=d")]
    public void Queries_parse_as_upstream(string query, string ns, string metric, string? selector) =>
        Assert.Equal((ns, metric, selector), ExternalMetricsProvider.ParseQuery(query));

    [Theory]
    [InlineData("a/b/c", "too many slashes")]
    [InlineData("ns/", "metric name cannot be empty")]
    public void Malformed_queries_are_errors(string query, string message) =>
        Assert.Contains(message, Assert.Throws<MetricQueryException>(() => ExternalMetricsProvider.ParseQuery(query)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task No_items_is_no_values_and_is_online_lists_the_dummy_metric()
    {
        await using var server = new StubHttpServer(_ => (200, """{"items":[]}"""));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("m", TestContext.Current.CancellationToken));
        Assert.Equal("no external metrics found: no values found", e.Message);
        Assert.True(e.NoValues);

        await Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("/apis/external.metrics.k8s.io/v1beta1/namespaces/kube-system/dummy-metric", server.Requests.Last().Path);
    }

    [Fact]
    public async Task Api_errors_are_wrapped()
    {
        await using var server = new StubHttpServer(_ => (404, """{"kind":"Status","message":"the server could not find the requested resource"}"""));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("m", TestContext.Current.CancellationToken));
        Assert.StartsWith("error querying external metrics API: 404 Not Found: ", e.Message, StringComparison.Ordinal);
    }
}
