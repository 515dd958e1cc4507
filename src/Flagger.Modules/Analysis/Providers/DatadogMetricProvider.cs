using System.Globalization;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Datadog <c>GET /api/v1/query?query=&amp;from=now-10×interval&amp;to=now</c> (seconds) with <c>DD-API-KEY</c> and
/// <c>DD-APPLICATION-KEY</c>; the value is <c>series[0].pointlist[0][1]</c>. IsOnline: <c>GET /api/v1/validate</c>.
/// </summary>
// upstream: pkg/metrics/providers/datadog.go
internal sealed class DatadogMetricProvider : IMetricProvider
{
    public const string DefaultAddress = "https://api.datadoghq.com";
    private readonly string _address;
    private readonly string _apiKey;
    private readonly string _applicationKey;
    private readonly long _fromDeltaSeconds;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;

    public DatadogMetricProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var address = provider.Address;

        _address = string.IsNullOrEmpty(address) ? DefaultAddress : address;
        _apiKey = ProviderHttp.Credential(credentials, "datadog_api_key")
            ?? throw new MetricProviderConfigException("datadog credentials does not contain datadog_api_key");
        _applicationKey = ProviderHttp.Credential(credentials, "datadog_application_key")
            ?? throw new MetricProviderConfigException("datadog credentials does not contain datadog_application_key");
        if (!GoDuration.TryParse(interval, out var md))
        {
            throw new MetricProviderConfigException($"error parsing metric interval: time: invalid duration \"{interval}\"");
        }

        _fromDeltaSeconds = (long)(10 * md.TotalSeconds);
        _client = client;
        _time = time;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var url = $"{_address}/api/v1/query?from={(now - _fromDeltaSeconds).ToString(CultureInfo.InvariantCulture)}" +
                  $"&query={Uri.EscapeDataString(query)}&to={now.ToString(CultureInfo.InvariantCulture)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        AddKeys(request);
        var (status, reason, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}: {ProviderHttp.StatusLine(status, reason)}");
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("series", out var series) && series.ValueKind == JsonValueKind.Array && series.GetArrayLength() > 0
                && series[0].TryGetProperty("pointlist", out var points) && points.ValueKind == JsonValueKind.Array && points.GetArrayLength() > 0
                && points[0].ValueKind == JsonValueKind.Array && points[0].GetArrayLength() > 1 && points[0][1].ValueKind == JsonValueKind.Number)
            {
                // the first (oldest) point: the newest bucket is usually incomplete
                return points[0][1].GetDouble();
            }
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"error unmarshaling result: {e.Message}, '{ProviderHttp.Excerpt(body)}'", inner: e);
        }

        throw new MetricQueryException($"invalid response: {ProviderHttp.Excerpt(body)}: {MetricQueryException.NoValuesFound}", noValues: true);
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _address + "/api/v1/validate");
        AddKeys(request);
        var (status, _, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}");
        }
    }

    private void AddKeys(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("DD-API-KEY", _apiKey);
        request.Headers.TryAddWithoutValidation("DD-APPLICATION-KEY", _applicationKey);
    }
}
