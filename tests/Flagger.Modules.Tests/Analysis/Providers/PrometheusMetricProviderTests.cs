using Flagger.Modules.Analysis.Providers;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class PrometheusMetricProviderTests
{
    private static PrometheusMetricProvider Create(string address, Dictionary<string, List<string>>? headers = null, bool secret = false,
        params (string, string)[] credentials) =>
        new("1m", Provider("prometheus", address, secret, headers), Credentials(credentials), new HttpClient(), TimeProvider.System);

    [Fact]
    public async Task Query_is_whitespace_collapsed_and_sent_under_the_address_path_prefix()
    {
        await using var server = new StubHttpServer(_ => (200, Vector("99.5")));
        var value = await Create(server.Url + "/prometheus/").RunQueryAsync("sum(\n\trate(x{a=\"b\"}[1m])\n)  * 100", TestContext.Current.CancellationToken);

        Assert.Equal(99.5, value);
        var request = server.Single();
        Assert.Equal("GET", request.Method);
        Assert.Equal("/prometheus/api/v1/query", request.Path);
        Assert.Equal("sum( rate(x{a=\"b\"}[1m]) ) * 100", request.Query["query"]);
    }

    [Fact]
    public async Task Address_without_a_path_queries_the_root_api()
    {
        await using var server = new StubHttpServer(_ => (200, Vector("1")));
        await Create(server.Url).RunQueryAsync("up", TestContext.Current.CancellationToken);
        Assert.Equal("/api/v1/query", server.Single().Path);
    }

    [Fact]
    public async Task Template_headers_are_sent_and_the_bearer_token_comes_from_the_secret()
    {
        await using var server = new StubHttpServer(_ => (200, Vector("1")));
        var headers = new Dictionary<string, List<string>> { ["X-Scope-OrgID"] = ["tenant-a"] };
        await Create(server.Url, headers, secret: true, ("token", "s3cr3t")).RunQueryAsync("up", TestContext.Current.CancellationToken);

        var request = server.Single();
        Assert.Equal("tenant-a", request.Headers["X-Scope-OrgID"]);
        Assert.Equal("Bearer s3cr3t", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Username_and_password_from_the_secret_become_basic_auth()
    {
        await using var server = new StubHttpServer(_ => (200, Vector("1")));
        await Create(server.Url, null, true, ("username", "admin"), ("password", "pw")).RunQueryAsync("up", TestContext.Current.CancellationToken);
        Assert.Equal("Basic " + Convert.ToBase64String("admin:pw"u8.ToArray()), server.Single().Headers["Authorization"]);
    }

    [Fact]
    public async Task Credentials_in_the_address_become_basic_auth_and_stay_out_of_the_url()
    {
        await using var server = new StubHttpServer(_ => (200, Vector("1")));
        var provider = Create($"http://admin:p%40ss@127.0.0.1:{server.Port}/prom");
        await provider.RunQueryAsync("up", TestContext.Current.CancellationToken);

        Assert.Equal("Basic " + Convert.ToBase64String("admin:p@ss"u8.ToArray()), server.Single().Headers["Authorization"]);
        Assert.DoesNotContain("admin", provider.QueryEndpoint.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("password", "prometheus credentials does not contain a username")]
    [InlineData("username", "prometheus credentials does not contain a password")]
    public void A_secret_without_token_needs_both_username_and_password(string present, string message) =>
        Assert.Equal(message, Assert.Throws<MetricProviderConfigException>(() => Create("http://127.0.0.1:1", null, true, (present, "x"))).Message);

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://host")]
    public void An_invalid_address_is_a_configuration_error(string address) =>
        Assert.Equal($"prometheus address {address} is not a valid URL",
            Assert.Throws<MetricProviderConfigException>(() => Create(address)).Message);

    [Fact]
    public async Task Several_series_yield_the_value_of_the_last_one()
    {
        await using var server = new StubHttpServer(_ => (200, Vector("1", "2", "3.25")));
        Assert.Equal(3.25, await Create(server.Url).RunQueryAsync("x", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_matrix_is_a_multiple_values_error()
    {
        await using var server = new StubHttpServer(_ => (200, Matrix));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("x[1m]", TestContext.Current.CancellationToken));
        Assert.Equal("query returned multiple values", e.Message);
        Assert.False(e.NoValues);
    }

    [Theory]
    [InlineData(EmptyVector)]
    [InlineData("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1700000000,\"NaN\"]}]}}")]
    public async Task Empty_or_nan_results_are_no_values_found(string body)
    {
        await using var server = new StubHttpServer(_ => (200, body));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("x", TestContext.Current.CancellationToken));
        Assert.True(e.NoValues);
        Assert.Equal("no values found", e.Message);
    }

    [Fact]
    public async Task Http_errors_carry_the_status_and_a_body_excerpt()
    {
        var longBody = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 5\"}" + new string('x', 2000);
        await using var server = new StubHttpServer(_ => (400, longBody));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("sum(", TestContext.Current.CancellationToken));
        Assert.StartsWith("error response: Status 400 Bad Request: {\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 5\"}", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 700);
    }

    [Fact]
    public async Task Non_json_answers_are_reported_with_the_body()
    {
        await using var server = new StubHttpServer(_ => (200, "<html>proxy</html>"));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).RunQueryAsync("x", TestContext.Current.CancellationToken));
        Assert.StartsWith("error unmarshaling result: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("'<html>proxy</html>'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_request_error()
    {
        var port = StubHttpServer.FreePort();
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create($"http://127.0.0.1:{port}").RunQueryAsync("x", TestContext.Current.CancellationToken));
        Assert.StartsWith($"request failed: GET \"http://127.0.0.1:{port}/api/v1/query\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Is_online_when_vector_1_returns_1()
    {
        await using var server = new StubHttpServer(r => (200, Vector(r.Query["query"] == "vector(1)" ? "1" : "0")));
        await Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("vector(1)", server.Single().Query["query"]);
    }

    [Fact]
    public async Task Is_not_online_when_vector_1_returns_something_else_or_fails()
    {
        await using var server = new StubHttpServer(_ => (200, Vector("0")));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken));
        Assert.Equal("value is not 1 for query: vector(1)", e.Message);

        server.Respond = _ => (503, "unavailable");
        e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(server.Url).IsOnlineAsync(TestContext.Current.CancellationToken));
        Assert.Equal("running query failed: error response: Status 503 Service Unavailable: unavailable", e.Message);
    }
}
