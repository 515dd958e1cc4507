using System.Text;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Shared.Crd;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class SplunkMetricProviderTests
{
    private const string Program = "data('demo.trans.latency', filter=filter('demo_host', 'server6')).mean().publish()";
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SplunkMetricProvider Create(string address, string token = FakeSignalFx.Token, string interval = "1m") =>
        new(interval, new MetricTemplateProvider { Type = "splunk", Address = address, SecretRef = new() { Name = "sfx" } },
            new Dictionary<string, byte[]> { ["sf_token_key"] = Encoding.UTF8.GetBytes(token) }, new HttpClient(), Time);

    [Theory]
    [InlineData("https://api.us1.signalfx.com", "wss://stream.us1.signalfx.com/v2/signalflow/connect", "https://api.us1.signalfx.com/v2/metric?limit=1")]
    [InlineData("wss://stream.eu0.signalfx.com", "wss://stream.eu0.signalfx.com/v2/signalflow/connect", "https://api.eu0.signalfx.com/v2/metric?limit=1")]
    [InlineData("http://127.0.0.1:8080", "ws://127.0.0.1:8080/v2/signalflow/connect", "http://127.0.0.1:8080/v2/metric?limit=1")]
    public void Addresses_follow_upstreams_rewrite(string address, string stream, string validation)
    {
        var p = Create(address);
        Assert.Equal(stream, p.ConnectUrl.ToString());
        Assert.Equal(validation, p.ValidationUrl);
    }

    [Fact]
    public async Task Authenticates_executes_over_ten_intervals_and_returns_the_last_payload()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Data = _ => [[new(42, 2, 0.5)], [new(42, 2, 0.75)]];

        Assert.Equal(0.75, await Create(fake.Url, interval: "30s").RunQueryAsync(Program, Ct));

        Assert.Equal(["authenticate", "execute"], fake.Protocol);
        var execute = Assert.Single(fake.Executes);
        Assert.Equal(Program, execute.GetProperty("program").GetString());
        Assert.Equal(1_700_000_000_000 - 300_000, execute.GetProperty("start").GetInt64());
        Assert.Equal(1_700_000_000_000, execute.GetProperty("stop").GetInt64());
        Assert.True(execute.GetProperty("immediate").GetBoolean());
    }

    [Theory]
    [InlineData(1, 7.0)]
    [InlineData(3, -3.0)]
    public async Task Long_and_int_payloads_are_read(byte type, double value)
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Data = _ => [[new(1, type, value)]];
        Assert.Equal(value, await Create(fake.Url).RunQueryAsync(Program, Ct));
    }

    [Fact]
    public async Task Compressed_data_messages_are_read()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Compress = true;
        fake.Data = _ => [[new(5, 2, 99.5)]];
        Assert.Equal(99.5, await Create(fake.Url).RunQueryAsync(Program, Ct));
    }

    [Fact]
    public async Task No_data_or_only_unknown_value_types_is_no_values()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url).RunQueryAsync(Program, Ct));
        Assert.True(e.NoValues);
        Assert.Equal("invalid response: no values found", e.Message);

        fake.Data = _ => [[new(5, 9, 1)]];
        Assert.True((await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url).RunQueryAsync(Program, Ct))).NoValues);
    }

    [Fact]
    public async Task A_nan_value_is_no_values_never_a_pass()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Data = _ => [[new(1, 2, double.NaN)]];
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url).RunQueryAsync(Program, Ct));
        Assert.True(e.NoValues);
        Assert.Equal("invalid response: NaN: no values found", e.Message);
    }

    [Fact]
    public async Task Two_time_series_are_multiple_values()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Data = _ => [[new(1, 2, 1), new(2, 2, 2)]];
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url).RunQueryAsync(Program, Ct));
        Assert.False(e.NoValues);
        Assert.Equal("invalid response: query returned multiple values", e.Message);
    }

    [Fact]
    public async Task A_program_error_is_the_computation_error()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.ProgramError = "Unknown function 'dat'";
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url).RunQueryAsync(Program, Ct));
        Assert.Equal("error executing query: 400 (ANALYTICS_PROGRAM_ERROR): Unknown function 'dat'", e.Message);
    }

    [Fact]
    public async Task A_wrong_token_is_an_error_never_a_value()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Data = _ => [[new(1, 2, 1)]];
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url, token: "wrong").RunQueryAsync(Program, Ct));
        Assert.Equal("error executing query: 401: Invalid auth token", e.Message);
        Assert.DoesNotContain("wrong", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_never_ends_times_out()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        fake.Hang = true;
        fake.Data = _ => [[new(1, 2, 1)]];
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url).RunQueryAsync(Program, Ct));
        Assert.StartsWith("error executing query: context deadline exceeded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Is_online_checks_the_token_on_the_metric_api()
    {
        await using var fake = await FakeSignalFx.StartAsync();
        await Create(fake.Url).IsOnlineAsync(Ct);
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake.Url, token: "wrong").IsOnlineAsync(Ct));
        Assert.Equal("""error response: {"message":"Unauthorized"}""", e.Message);
    }

    [Fact]
    public void Address_token_and_interval_are_required()
    {
        Assert.Equal("splunk endpoint is not set", Assert.Throws<MetricProviderConfigException>(() => Create("")).Message);
        Assert.Equal("splunk credentials does not contain sf_token_key", Assert.Throws<MetricProviderConfigException>(() =>
            new SplunkMetricProvider("1m", new MetricTemplateProvider { Type = "splunk", Address = "https://api.us1.signalfx.com" },
                new Dictionary<string, byte[]>(), new HttpClient(), Time)).Message);
        Assert.Equal("error parsing metric interval: time: invalid duration \"\"", Assert.Throws<MetricProviderConfigException>(() => Create("https://api.us1.signalfx.com", interval: "")).Message);
    }
}
