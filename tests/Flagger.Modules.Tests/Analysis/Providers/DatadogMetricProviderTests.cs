using Flagger.Modules.Analysis.Providers;
using Microsoft.Extensions.Time.Testing;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class DatadogMetricProviderTests
{
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static DatadogMetricProvider Create(string address, string interval = "1m") =>
        new(interval, Provider("datadog", address), Credentials(("datadog_api_key", "api"), ("datadog_application_key", "app")), new HttpClient(), Time);

    [Fact]
    public async Task Query_window_is_ten_intervals_and_keys_travel_as_headers()
    {
        await using var server = new StubHttpServer(_ => (200, """{"series":[{"pointlist":[[1700000000000,3.5],[1700000060000,9]]}]}"""));
        var value = await Create(server.Url, "30s").RunQueryAsync("sum:istio.mesh.request.count{reporter:destination}.as_count()", TestContext.Current.CancellationToken);

        Assert.Equal(3.5, value);
        var r = server.Single();
        Assert.Equal("/api/v1/query", r.Path);
        Assert.Equal("sum:istio.mesh.request.count{reporter:destination}.as_count()", r.Query["query"]);
        Assert.Equal("1699999700", r.Query["from"]);
        Assert.Equal("1700000000", r.Query["to"]);
        Assert.Equal("api", r.Headers["DD-API-KEY"]);
        Assert.Equal("app", r.Headers["DD-APPLICATION-KEY"]);
    }

    [Theory]
    [InlineData("""{"series":[]}""")]
    [InlineData("""{"series":[{"pointlist":[]}]}""")]
    public async Task No_series_or_points_is_no_values(string body)
    {
        await using var server = new StubHttpServer(_ => (200, body));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("q", TestContext.Current.CancellationToken));
        Assert.True(e.NoValues);
        Assert.Equal($"invalid response: {body}: no values found", e.Message);
    }

    [Fact]
    public async Task Errors_carry_body_and_status_and_is_online_calls_validate()
    {
        await using var server = new StubHttpServer(r => r.Path == "/api/v1/validate" ? (200, """{"valid":true}""") : (403, """{"errors":["Forbidden"]}"""));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("q", TestContext.Current.CancellationToken));
        Assert.Equal("""error response: {"errors":["Forbidden"]}: 403 Forbidden""", e.Message);

        await Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("api", server.Requests.Last().Headers["DD-API-KEY"]);
    }

    [Theory]
    [InlineData("", "error parsing metric interval: time: invalid duration \"\"")]
    [InlineData("5x", "error parsing metric interval: time: invalid duration \"5x\"")]
    public void A_bad_interval_is_a_configuration_error(string interval, string message) =>
        Assert.Equal(message, Assert.Throws<MetricProviderConfigException>(() => Create("http://127.0.0.1:1", interval)).Message);

    [Fact]
    public void Missing_keys_are_named() =>
        Assert.Equal("datadog credentials does not contain datadog_application_key",
            Assert.Throws<MetricProviderConfigException>(() =>
                new DatadogMetricProvider("1m", Provider("datadog", null), Credentials(("datadog_api_key", "a")), new HttpClient(), Time)).Message);
}
