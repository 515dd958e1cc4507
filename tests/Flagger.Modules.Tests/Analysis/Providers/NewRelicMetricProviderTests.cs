using Flagger.Modules.Analysis.Providers;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class NewRelicMetricProviderTests
{
    private static NewRelicMetricProvider Create(string address) =>
        new("2m", Provider("newrelic", address), Credentials(("newrelic_account_id", "12345"), ("newrelic_query_key", "nrkey")), new HttpClient(), TimeProvider.System);

    [Fact]
    public async Task Nrql_gets_a_since_clause_of_the_interval_and_the_query_key_header()
    {
        await using var server = new StubHttpServer(_ => (200, """{"results":[{"result":1.25}]}"""));
        var value = await Create(server.Url).RunQueryAsync("SELECT count(*) FROM Transaction", TestContext.Current.CancellationToken);

        Assert.Equal(1.25, value);
        var r = server.Single();
        Assert.Equal("/v1/accounts/12345/query", r.Path);
        Assert.Equal("SELECT count(*) FROM Transaction SINCE 120 seconds ago", r.Query["nrql"]);
        Assert.Equal("nrkey", r.Headers["X-Query-Key"]);
    }

    [Theory]
    [InlineData("""{"results":[]}""")]
    [InlineData("""{"results":[{"result":null}]}""")]
    [InlineData("""{"results":[{"result":1},{"result":2}]}""")]
    public async Task Anything_but_exactly_one_result_is_no_values(string body)
    {
        await using var server = new StubHttpServer(_ => (200, body));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("q", TestContext.Current.CancellationToken));
        Assert.True(e.NoValues);
    }

    [Fact]
    public async Task Errors_and_is_online()
    {
        await using var server = new StubHttpServer(r => r.Query["nrql"]!.StartsWith("SELECT * FROM Metric", StringComparison.Ordinal)
            ? (200, """{"results":[{"result":1}]}""") : (400, """{"error":"NRQL Syntax Error"}"""));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("bad", TestContext.Current.CancellationToken));
        Assert.Equal("""error response: {"error":"NRQL Syntax Error"}""", e.Message);
        await Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("SELECT * FROM Metric SINCE 120 seconds ago", server.Requests.Last().Query["nrql"]);
    }

    [Fact]
    public void Default_address_is_the_insights_api() =>
        Assert.Equal("https://insights-api.newrelic.com", NewRelicMetricProvider.DefaultAddress);
}
