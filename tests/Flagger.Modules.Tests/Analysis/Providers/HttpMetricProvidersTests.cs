using Flagger.Modules.Analysis.Providers;
using Microsoft.Extensions.Time.Testing;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class DatadogMetricProviderTests
{
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static DatadogMetricProvider Create(string address, string interval = "1m") =>
        new(interval, address, Credentials(("datadog_api_key", "api"), ("datadog_application_key", "app")), new HttpClient(), Time);

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
                new DatadogMetricProvider("1m", null, Credentials(("datadog_api_key", "a")), new HttpClient(), Time)).Message);
}

public class NewRelicMetricProviderTests
{
    private static NewRelicMetricProvider Create(string address) =>
        new("2m", address, Credentials(("newrelic_account_id", "12345"), ("newrelic_query_key", "nrkey")), new HttpClient());

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

public class DynatraceMetricProviderTests
{
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static DynatraceMetricProvider Create(string address) =>
        new("1m", address, Credentials(("dynatrace_token", "dt0c01.abc")), new HttpClient(), Time);

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
            Assert.Throws<MetricProviderConfigException>(() => new DynatraceMetricProvider("1m", "", Credentials(("dynatrace_token", "t")), new HttpClient(), Time)).Message);
}

public class GraphiteMetricProviderTests
{
    private static GraphiteMetricProvider Create(string address, bool secret = false) =>
        new("graphite", address, secret, Credentials(("username", "u"), ("password", "p")), new HttpClient());

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

public class InfluxDbMetricProviderTests
{
    private static InfluxDbMetricProvider Create(string address) =>
        new("influxdb", address, true, Credentials(("token", "influx-token"), ("org", "my-org")), new HttpClient());

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
            Assert.Throws<MetricProviderConfigException>(() => new InfluxDbMetricProvider("influxdb", "http://influx:8086", true, Credentials(("token", "t")), new HttpClient())).Message);
}

public class ExternalMetricsProviderTests
{
    private static ExternalMetricsProvider Create(string address) =>
        new(address, Credentials(("token", "ext-token")), new HttpClient());

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

public class MetricProviderFactoryTests
{
    private static readonly MetricProviderFactory Factory = new(new TestHttpClientFactory(), TimeProvider.System);

    [Theory]
    [InlineData("cloudwatch")]
    [InlineData("stackdriver")]
    [InlineData("splunk")]
    [InlineData("keptn")]
    public void Providers_not_ported_yet_are_a_clear_error_not_a_fallback(string type) =>
        Assert.Equal($"metric provider {type} is not supported yet by Flagger for .NET",
            Assert.Throws<MetricProviderConfigException>(() => Factory.Create("1m", new() { Type = type, Address = "http://x" }, new Dictionary<string, byte[]>())).Message);

    [Fact]
    public void An_unknown_type_is_an_error_naming_the_field() =>
        Assert.StartsWith("unknown metrics provider type \"promql\" (spec.provider.type must be one of prometheus,",
            Assert.Throws<MetricProviderConfigException>(() => Factory.Create("1m", new() { Type = "promql", Address = "http://x" }, new Dictionary<string, byte[]>())).Message,
            StringComparison.Ordinal);

    [Theory]
    [InlineData("prometheus", typeof(PrometheusMetricProvider))]
    [InlineData("graphite", typeof(GraphiteMetricProvider))]
    [InlineData("influxdb", typeof(InfluxDbMetricProvider))]
    [InlineData("externalmetrics", typeof(ExternalMetricsProvider))]
    public void Each_type_builds_its_provider(string type, Type expected) =>
        Assert.IsType(expected, Factory.Create("1m", new() { Type = type, Address = "http://127.0.0.1:9090" }, new Dictionary<string, byte[]>()));
}
