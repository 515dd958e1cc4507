using Flagger.Modules.Analysis.Providers;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class GraphiteMetricProviderTests
{
    private static GraphiteMetricProvider Create(string address, bool secret = false) =>
        new("1m", Provider("graphite", address, secret), Credentials(("username", "u"), ("password", "p")), new HttpClient(), TimeProvider.System);

    [Fact]
    public async Task The_query_string_is_normalised_and_format_json_added_under_the_path_prefix()
    {
        await using var server = new StubHttpServer(_ => (200, """[{"target":"a","datapoints":[[1,1700000000],[null,1700000060]]},{"target":"b","datapoints":[[2.5,1700000000],[null,1700000060]]}]"""));
        var value = await Create(server.Url + "/graphite", secret: true).RunQueryAsync("target=summarize(\n  sumSeries(app.{{a,b}}.count),\n  '1min', 'avg')&from=-1min", TestContext.Current.CancellationToken);

        Assert.Equal(2.5, value);
        var r = server.Single();
        Assert.Equal("/graphite/render", r.Path);
        Assert.Equal("summarize( sumSeries(app.{{a,b}}.count), '1min', 'avg')", r.Query["target"]);
        Assert.Equal("-1min", r.Query["from"]);
        Assert.Equal("json", r.Query["format"]);
        Assert.StartsWith("format=json&from=", r.RawQuery, StringComparison.Ordinal);
        Assert.Equal("Basic " + Convert.ToBase64String("u:p"u8.ToArray()), r.Headers["Authorization"]);
    }

    [Fact]
    public async Task Only_null_datapoints_is_no_values_and_is_online_tolerates_it()
    {
        await using var server = new StubHttpServer(_ => (200, """[{"target":"test","datapoints":[[null,1700000000]]}]"""));
        Assert.True((await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("target=x", TestContext.Current.CancellationToken))).NoValues);
        await Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("test", server.Requests.Last().Query["target"]);
        Assert.Null(server.Requests.Last().Headers["Authorization"]);
    }

    [Fact]
    public async Task Http_errors_fail_is_online()
    {
        await using var server = new StubHttpServer(_ => (500, "boom"));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken));
        Assert.Equal("running query failed: error response: boom", e.Message);
    }
}
