using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Analysis.Providers.Aws;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Amazon CloudWatch <c>GetMetricData</c> over the AWS JSON 1.0 protocol (<c>X-Amz-Target:
/// GraniteServiceVersion20100801.GetMetricData</c>), signed with SigV4 for service <c>monitoring</c> in
/// <c>spec.provider.region</c>. The query is the template's JSON array of <c>MetricDataQuery</c>; the window is the last
/// 10 × interval with <c>MaxDatapoints 20</c>; the value is <c>MetricDataResults[0].Values[0]</c>. Credentials come from the
/// AWS default chain (the Secret is not used, as upstream). Endpoint <c>https://monitoring.&lt;region&gt;.amazonaws.com</c> or
/// <c>spec.provider.address</c>. Throttling, 5xx and transport errors are retried up to 3 times, as the SDK does.
/// IsOnline: an empty query answered with HTTP 400 counts as online.
/// </summary>
// upstream: pkg/metrics/providers/cloudwatch.go (aws-sdk-go sends the query protocol; CloudWatch accepts both)
internal sealed class CloudWatchMetricProvider : IMetricProvider
{
    public const string Service = "monitoring";
    private const string Target = "GraniteServiceVersion20100801.GetMetricData";
    private const string ContentType = "application/x-amz-json-1.0";
    private const int MaxRetries = 3;
    private const int MaxDatapoints = 20;
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Uri _endpoint;
    private readonly string _region;
    private readonly TimeSpan _startDelta;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly AwsCredentialChain _credentials;

    public CloudWatchMetricProvider(
        string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time,
        AwsCredentialChain awsCredentials)
    {
        _ = credentials; // upstream reads no Secret for CloudWatch: the AWS default credential chain decides
        _region = string.IsNullOrEmpty(provider.Region) ? throw new MetricProviderConfigException("region not specified") : provider.Region;
        var address = string.IsNullOrEmpty(provider.Address) ? $"https://{Service}.{_region}.amazonaws.com" : provider.Address;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new MetricProviderConfigException($"error creating aws session: cloudwatch address {address} is not a valid URL");
        }

        if (!GoDuration.TryParse(interval, out var md))
        {
            throw new MetricProviderConfigException($"error parsing metric interval: time: invalid duration \"{interval}\"");
        }

        _endpoint = endpoint;
        _startDelta = 10 * md;
        _client = client;
        _time = time;
        _credentials = awsCredentials;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        List<MetricDataQuery>? queries;
        try
        {
            queries = JsonSerializer.Deserialize<List<MetricDataQuery>>(query, Json);
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"error unmarshaling query: {e.Message}", inner: e);
        }

        var end = _time.GetUtcNow();
        var input = new GetMetricDataInput(queries ?? [], (end - _startDelta).ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), MaxDatapoints);
        var (status, body, error) = await GetMetricDataAsync(input, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error requesting cloudwatch: {error}");
        }

        return ParseValue(body);
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken)
    {
        // Go's zero time.Time: 0001-01-01T00:00:00Z
        var zero = DateTimeOffset.MinValue.ToUnixTimeSeconds();
        int status;
        string error;
        try
        {
            (status, _, error) = await GetMetricDataAsync(new GetMetricDataInput([], zero, zero, null), cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap("unexpected error");
        }

        if (status is not (200 or 400))
        {
            throw new MetricQueryException($"unexpected status code: {error}");
        }
    }

    private static double ParseValue(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("MetricDataResults", out var results) || results.ValueKind != JsonValueKind.Array || results.GetArrayLength() < 1)
            {
                throw new MetricQueryException($"invalid response: {ProviderHttp.Excerpt(body)}: {MetricQueryException.NoValuesFound}", noValues: true);
            }

            if (!results[0].TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Array || values.GetArrayLength() < 1)
            {
                // upstream's text, typo included
                throw new MetricQueryException($"invalid reponse {ProviderHttp.Excerpt(body)}: {MetricQueryException.NoValuesFound}", noValues: true);
            }

            return values[0].ValueKind == JsonValueKind.Number
                ? values[0].GetDouble()
                : throw new MetricQueryException($"invalid response: value {values[0].GetRawText()} is not a number");
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"error requesting cloudwatch: SerializationError: failed decoding JSON RPC response: {e.Message}", inner: e);
        }
    }

    /// <summary>Sends the call, retrying throttling, 5xx and transport errors; returns status, body and the SDK-style error text.</summary>
    private async Task<(int Status, string Body, string Error)> GetMetricDataAsync(GetMetricDataInput input, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(input, Json);
        for (var attempt = 0; ; attempt++)
        {
            var credentials = await _credentials.ResolveAsync(_region, cancellationToken).ConfigureAwait(false);
            using var request = SignedRequest(payload, credentials);
            int status;
            string body;
            string? requestId;
            string? queryError;
            try
            {
                (status, body, requestId, queryError) = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (MetricQueryException) when (attempt < MaxRetries)
            {
                await Backoff(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (status == 200)
            {
                return (status, body, "");
            }

            var (code, message) = ErrorOf(body);
            code = queryError ?? code;
            if (attempt < MaxRetries && (status >= 500 || status == 429 || code.Contains("Throttl", StringComparison.Ordinal)))
            {
                await Backoff(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // awserr.RequestFailure's Error() text
            return (status, body, $"{code}: {message}\n\tstatus code: {status}, request id: {requestId}");
        }
    }

    private static Task Backoff(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(30 * (1 << attempt)), cancellationToken);

    private HttpRequestMessage SignedRequest(byte[] payload, AwsCredentials credentials)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        var amzDate = AwsSigV4.AmzDate(_time.GetUtcNow());
        var headers = new List<(string, string)>
        {
            ("host", _endpoint.Authority),
            ("content-type", ContentType),
            ("x-amz-date", amzDate),
            ("x-amz-target", Target),
        };
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            headers.Add(("x-amz-security-token", credentials.SessionToken));
        }

        var signature = AwsSigV4.Sign(
            new SigV4Request("POST", _endpoint.AbsolutePath, _endpoint.Query.TrimStart('?'), headers, AwsSigV4.Hash(payload)),
            credentials.AccessKeyId, credentials.SecretAccessKey, _region, Service, amzDate);
        foreach (var (name, value) in headers.Where(h => h.Item1 is not ("host" or "content-type")))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return request;
    }

    /// <summary>One attempt; CloudWatch is "awsQueryCompatible": <c>x-amzn-query-error: Code;Sender</c> carries the query protocol's code.</summary>
    private async Task<(int Status, string Body, string? RequestId, string? QueryError)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(ProviderHttp.Timeout);
        try
        {
            using var response = await _client.SendAsync(request, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
            var queryError = response.Headers.TryGetValues("x-amzn-query-error", out var qe) ? qe.FirstOrDefault() : null;
            return ((int)response.StatusCode, body, requestId, queryError?.Split(';')[0]);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MetricQueryException($"RequestError: send request failed: Post \"{_endpoint}\": timeout after {ProviderHttp.Timeout.TotalSeconds:0}s", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new MetricQueryException($"RequestError: send request failed: Post \"{_endpoint}\": {e.Message}", inner: e);
        }
    }

    /// <summary>The code (after <c>#</c> of <c>__type</c>) and message of a JSON 1.0 error body.</summary>
    internal static (string Code, string Message) ErrorOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? Field(params string[] names) => names
                .Select(n => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
                .FirstOrDefault(v => v is not null);
            var type = Field("__type", "code") ?? "UnknownError";
            return (type[(type.LastIndexOf('#') + 1)..], Field("message", "Message") ?? "");
        }
        catch (JsonException)
        {
            return ("SerializationError", ProviderHttp.Excerpt(body));
        }
    }

    private sealed record GetMetricDataInput(List<MetricDataQuery> MetricDataQueries, long StartTime, long EndTime, int? MaxDatapoints);

    /// <summary>CloudWatch <c>MetricDataQuery</c>; names match case-insensitively, as Go's <c>json.Unmarshal</c> does upstream.</summary>
    internal sealed record MetricDataQuery(
        string? Id, string? Expression, string? Label, MetricStat? MetricStat, long? Period, bool? ReturnData, string? AccountId);

    internal sealed record MetricStat(Metric? Metric, long? Period, string? Stat, string? Unit);

    internal sealed record Metric(string? Namespace, string? MetricName, List<Dimension>? Dimensions);

    internal sealed record Dimension(string? Name, string? Value);
}
