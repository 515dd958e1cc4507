using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Analysis.Providers.Aws;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.Analysis.Providers.Aws;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class CloudWatchMetricProviderTests
{
    private const string Query = """
        [{"Id":"e1","Expression":"m1 / m2","Label":"ErrorRate"},
         {"id":"m1","metricStat":{"metric":{"namespace":"MyKubernetesCluster","metricName":"ErrorCount",
           "dimensions":[{"name":"appName","value":"podinfo"}]},"period":60,"stat":"Sum","unit":"Count"},"returnData":false},
         {"Id":"m2","MetricStat":{"Metric":{"Namespace":"MyKubernetesCluster","MetricName":"RequestCount"},"Period":60,"Stat":"Sum"},"ReturnData":false}]
        """;

    private static readonly FakeTimeProvider Time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AwsCredentialChain Chain(string? token = null, string key = FakeCloudWatch.AccessKey, string secret = FakeCloudWatch.Secret) =>
        new(new HttpClient(), Time, name => name switch
        {
            "AWS_ACCESS_KEY_ID" => key,
            "AWS_SECRET_ACCESS_KEY" => secret,
            "AWS_SESSION_TOKEN" => token,
            _ => null,
        });

    private static CloudWatchMetricProvider Create(FakeCloudWatch fake, string region = "us-west-2", string interval = "1m", AwsCredentialChain? chain = null, TimeProvider? time = null) =>
        new(interval, new MetricTemplateProvider { Type = "cloudwatch", Region = region, Address = fake.Url }, new Dictionary<string, byte[]>(),
            new HttpClient(), time ?? Time, chain ?? Chain(fake.SessionToken));

    [Fact]
    public async Task Signed_get_metric_data_over_ten_intervals_returns_the_first_value_of_the_first_result()
    {
        await using var fake = new FakeCloudWatch(Time)
        {
            Answer = _ => (200, """{"MetricDataResults":[{"Id":"e1","Label":"ErrorRate","StatusCode":"Complete","Timestamps":[1699999940,1699999880],"Values":[0.25,0.5]}],"Messages":[]}"""),
        };

        Assert.Equal(0.25, await Create(fake, interval: "30s").RunQueryAsync(Query, Ct));

        var input = Assert.Single(fake.Inputs);
        Assert.Equal(20, input.GetProperty("MaxDatapoints").GetInt32());
        Assert.Equal(1_700_000_000 - 300, input.GetProperty("StartTime").GetInt64());
        Assert.Equal(1_700_000_000, input.GetProperty("EndTime").GetInt64());
        var queries = input.GetProperty("MetricDataQueries");
        Assert.Equal(3, queries.GetArrayLength());
        // Go's json.Unmarshal matches names case-insensitively; the wire form uses the API's member names
        Assert.Equal("podinfo", queries[1].GetProperty("MetricStat").GetProperty("Metric").GetProperty("Dimensions")[0].GetProperty("Value").GetString());
        Assert.False(queries[1].GetProperty("ReturnData").GetBoolean());
        Assert.False(queries[0].TryGetProperty("MetricStat", out _));
    }

    [Fact]
    public async Task Temporary_credentials_send_and_sign_the_session_token()
    {
        await using var fake = new FakeCloudWatch(Time, sessionToken: "session-token-1")
        {
            Answer = _ => (200, """{"MetricDataResults":[{"Id":"e1","Values":[7]}]}"""),
        };

        Assert.Equal(7, await Create(fake).RunQueryAsync(Query, Ct));
    }

    [Theory]
    [InlineData("""{"MetricDataResults":[]}""", "invalid response: {\"MetricDataResults\":[]}: no values found")]
    [InlineData("""{"MetricDataResults":[{"Id":"e1","Values":[]}]}""", "invalid reponse {\"MetricDataResults\":[{\"Id\":\"e1\",\"Values\":[]}]}: no values found")]
    public async Task No_results_or_no_values_is_no_values_found(string body, string message)
    {
        await using var fake = new FakeCloudWatch(Time) { Answer = _ => (200, body) };
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake).RunQueryAsync(Query, Ct));
        Assert.True(e.NoValues);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task Several_results_take_the_first_result_first_value()
    {
        await using var fake = new FakeCloudWatch(Time)
        {
            Answer = _ => (200, """{"MetricDataResults":[{"Id":"a","Values":[3,4]},{"Id":"b","Values":[9]}]}"""),
        };

        Assert.Equal(3, await Create(fake).RunQueryAsync(Query, Ct));
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_reads_as_the_sdk_error()
    {
        await using var fake = new FakeCloudWatch(Time) { Answer = _ => FakeCloudWatch.Error(400, "InvalidParameterValueException", "The value m3 for parameter Id is not valid.") };
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake).RunQueryAsync(Query, Ct));

        Assert.False(e.NoValues);
        Assert.Equal("error requesting cloudwatch: InvalidParameterValueException: The value m3 for parameter Id is not valid.\n\tstatus code: 400, request id: req-1", e.Message);
        Assert.Equal(1, fake.Requests);
    }

    [Fact]
    public async Task A_server_error_is_retried_three_times_then_reported()
    {
        await using var fake = new FakeCloudWatch(Time) { Answer = _ => FakeCloudWatch.Error(500, "InternalServiceError", "internal error") };
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake).RunQueryAsync(Query, Ct));

        Assert.Equal("error requesting cloudwatch: InternalServiceError: internal error\n\tstatus code: 500, request id: req-1", e.Message);
        Assert.Equal(4, fake.Requests);
    }

    [Fact]
    public async Task A_throttled_call_is_retried_and_can_succeed()
    {
        var calls = 0;
        await using var fake = new FakeCloudWatch(Time)
        {
            Answer = _ => Interlocked.Increment(ref calls) == 1
                ? FakeCloudWatch.Error(400, "Throttling", "Rate exceeded")
                : (200, """{"MetricDataResults":[{"Id":"e1","Values":[1.5]}]}"""),
        };

        Assert.Equal(1.5, await Create(fake).RunQueryAsync(Query, Ct));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_signature_for_another_region_is_rejected()
    {
        await using var fake = new FakeCloudWatch(Time, region: "us-west-2");
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, region: "eu-west-1").RunQueryAsync(Query, Ct));
        Assert.StartsWith("error requesting cloudwatch: InvalidSignatureException: Credential should be scoped to a valid region", e.Message, StringComparison.Ordinal);
        Assert.Contains("status code: 403", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_rejected_by_the_recomputed_signature()
    {
        await using var fake = new FakeCloudWatch(Time);
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, chain: Chain(secret: "not-the-secret")).RunQueryAsync(Query, Ct));
        Assert.StartsWith("error requesting cloudwatch: InvalidSignatureException: The request signature we calculated does not match", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_key_is_rejected()
    {
        await using var fake = new FakeCloudWatch(Time);
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, chain: Chain(key: "AKIDUNKNOWN")).RunQueryAsync(Query, Ct));
        Assert.StartsWith("error requesting cloudwatch: UnrecognizedClientException:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_skewed_clock_is_rejected_as_an_expired_signature()
    {
        await using var fake = new FakeCloudWatch(Time);
        var skewed = new FakeTimeProvider(Time.GetUtcNow().AddMinutes(-20));
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, time: skewed).RunQueryAsync(Query, Ct));
        Assert.StartsWith("error requesting cloudwatch: InvalidSignatureException: Signature expired", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_query_is_an_unmarshaling_error()
    {
        await using var fake = new FakeCloudWatch(Time);
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake).RunQueryAsync("{not json", Ct));
        Assert.StartsWith("error unmarshaling query: ", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, fake.Requests);
    }

    [Fact]
    public async Task Is_online_accepts_the_validation_error_of_an_empty_query_but_not_a_denial()
    {
        await using var fake = new FakeCloudWatch(Time)
        {
            Answer = input => input.GetProperty("MetricDataQueries").GetArrayLength() == 0
                ? FakeCloudWatch.Error(400, "ValidationError", "The parameter MetricDataQueries must contain at least one element.")
                : (200, "{}"),
        };
        await Create(fake).IsOnlineAsync(Ct);

        fake.Answer = _ => FakeCloudWatch.Error(403, "AccessDeniedException", "User is not authorized to perform: cloudwatch:GetMetricData");
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake).IsOnlineAsync(Ct));
        Assert.StartsWith("unexpected status code: AccessDeniedException: User is not authorized", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_and_interval_are_required()
    {
        var none = new Dictionary<string, byte[]>();
        Assert.Equal("region not specified", Assert.Throws<MetricProviderConfigException>(() =>
            new CloudWatchMetricProvider("1m", new MetricTemplateProvider { Type = "cloudwatch" }, none, new HttpClient(), Time, Chain())).Message);
        Assert.Equal("error parsing metric interval: time: invalid duration \"\"", Assert.Throws<MetricProviderConfigException>(() =>
            new CloudWatchMetricProvider("", new MetricTemplateProvider { Type = "cloudwatch", Region = "us-east-1" }, none, new HttpClient(), Time, Chain())).Message);
    }
}
