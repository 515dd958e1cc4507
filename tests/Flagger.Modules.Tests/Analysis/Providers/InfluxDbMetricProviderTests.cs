using Flagger.Modules.Analysis.Providers;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class InfluxDbMetricProviderTests
{
    private static InfluxDbMetricProvider Create(string address) =>
        new("1m", Provider("influxdb", address, secret: true), Credentials(("token", "influx-token"), ("org", "my-org")), new HttpClient(), TimeProvider.System);

    private const string DoubleTable = """
        #datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,double,string
        #group,false,false,true,true,false,true
        #default,_result,,,,,
        ,result,table,_start,_stop,_value,_field
        ,,0,2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,97.5,rate
        ,,0,2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,12,rate

        """;

    [Fact]
    public async Task Flux_is_posted_with_org_token_and_the_first_double_is_the_value()
    {
        await using var server = new StubHttpServer(_ => (200, DoubleTable));
        var value = await Create(server.Url).RunQueryAsync("from(bucket: \"default\") |> range(start: -2h)", TestContext.Current.CancellationToken);

        Assert.Equal(97.5, value);
        var r = server.Single();
        Assert.Equal("POST", r.Method);
        Assert.Equal("/api/v2/query", r.Path);
        Assert.Equal("my-org", r.Query["org"]);
        Assert.Equal("Token influx-token", r.Headers["Authorization"]);
        Assert.Contains("\"query\":\"from(bucket: \\u0022default\\u0022) |\\u003E range(start: -2h)\"", r.Body, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"flux\"", r.Body, StringComparison.Ordinal);
        Assert.Contains("\"annotations\":[\"datatype\",\"group\",\"default\"]", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_result_is_zero_as_upstream()
    {
        await using var server = new StubHttpServer(_ => (200, "\r\n"));
        Assert.Equal(0, await Create(server.Url).RunQueryAsync("q", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_empty_value_is_no_values_and_a_long_value_is_invalid()
    {
        await using var server = new StubHttpServer(_ => (200, "#datatype,string,long,double\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,0,\n"));
        Assert.True((await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("q", TestContext.Current.CancellationToken))).NoValues);

        server.Respond = _ => (200, "#datatype,string,long,long\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,0,7\n");
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("q", TestContext.Current.CancellationToken));
        Assert.False(e.NoValues);
        Assert.StartsWith("invalid response: {result:_result", e.Message.Replace(":,", ":_result,", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_errors_carry_influxs_message()
    {
        await using var server = new StubHttpServer(_ => (400, """{"code":"invalid","message":"compilation failed: error at @1:1-1:5"}"""));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("bad(", TestContext.Current.CancellationToken));
        Assert.Equal("error accessing influxdb query api: compilation failed: error at @1:1-1:5", e.Message);
    }

    [Fact]
    public async Task Is_online_runs_a_range_query()
    {
        await using var server = new StubHttpServer(_ => (200, DoubleTable));
        await Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken);
        Assert.Contains("range(start: -2h)", server.Single().Body.Replace("\\u003E", ">", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_secret_needs_token_and_org() =>
        Assert.Equal("influxdb credentials does not contain an organisation",
            Assert.Throws<MetricProviderConfigException>(() => new InfluxDbMetricProvider("1m", Provider("influxdb", "http://influx:8086", secret: true), Credentials(("token", "t")), new HttpClient(), TimeProvider.System)).Message);
}
