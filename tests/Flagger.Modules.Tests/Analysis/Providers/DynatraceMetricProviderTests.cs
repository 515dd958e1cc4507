using Flagger.Modules.Analysis.Providers;
using Microsoft.Extensions.Time.Testing;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class DynatraceMetricProviderTests
{
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static DynatraceMetricProvider Create(string address) =>
        new("1m", Provider("dynatrace", address), Credentials(("dynatrace_token", "dt0c01.abc")), new HttpClient(), Time);

    [Fact]
    public async Task Metric_selector_window_in_milliseconds_and_api_token_header()
    {
        await using var server = new StubHttpServer(_ => (200,
            """{"totalCount":1,"result":[{"metricId":"m","data":[{"timestamps":[1],"values":[10.5]},{"timestamps":[2],"values":[42.5]}]}]}"""));
        var value = await Create(server.Url).RunQueryAsync("builtin:service.response.time:percentile(95)", TestContext.Current.CancellationToken);

        Assert.Equal(42.5, value);
        var r = server.Single();
        Assert.Equal("/api/v2/metrics/query", r.Path);
        Assert.Equal("builtin:service.response.time:percentile(95)", r.Query["metricSelector"]);
        Assert.Equal("Inf", r.Query["resolution"]);
        Assert.Equal("1699999400000", r.Query["from"]);
        Assert.Equal("1700000000000", r.Query["to"]);
        Assert.Equal("Api-Token dt0c01.abc", r.Headers["Authorization"]);
    }

    [Theory]
    [InlineData("""{"result":[]}""")]
    [InlineData("""{"result":[{"data":[]}]}""")]
    [InlineData("""{"result":[{"data":[{"values":[]}]}]}""")]
    public async Task Missing_data_is_no_values(string body)
    {
        await using var server = new StubHttpServer(_ => (200, body));
        Assert.True((await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("q", TestContext.Current.CancellationToken))).NoValues);
    }

    [Fact]
    public async Task Is_online_lists_one_metric()
    {
        await using var server = new StubHttpServer(_ => (200, """{"metrics":[]}"""));
        await Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("/api/v2/metrics", server.Single().Path);
        Assert.Equal("1", server.Single().Query["pageSize"]);
    }

    [Fact]
    public void The_address_is_required() =>
        Assert.Equal("dynatrace endpoint is not set",
            Assert.Throws<MetricProviderConfigException>(() => new DynatraceMetricProvider("1m", Provider("dynatrace", ""), Credentials(("dynatrace_token", "t")), new HttpClient(), Time)).Message);
}
