using System.Globalization;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Dynatrace <c>GET /api/v2/metrics/query?metricSelector=&amp;resolution=Inf&amp;from=now-10×interval&amp;to=now</c>
/// (milliseconds) with <c>Authorization: Api-Token</c>; the value is <c>result[0].data[last].values[0]</c>.
/// IsOnline: <c>GET /api/v2/metrics?pageSize=1</c>.
/// </summary>
// upstream: pkg/metrics/providers/dynatrace.go
internal sealed class DynatraceMetricProvider : IMetricProvider
{
    private readonly string _address;
    private readonly string _token;
    private readonly long _fromDeltaMs;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;

    public DynatraceMetricProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var address = provider.Address;

        _address = string.IsNullOrEmpty(address) ? throw new MetricProviderConfigException("dynatrace endpoint is not set") : address;
        _token = ProviderHttp.Credential(credentials, "dynatrace_token")
            ?? throw new MetricProviderConfigException("dynatrace credentials does not contain dynatrace_token");
        if (!GoDuration.TryParse(interval, out var md))
        {
            throw new MetricProviderConfigException($"error parsing metric interval: time: invalid duration \"{interval}\"");
        }

        _fromDeltaMs = 10 * (long)md.TotalMilliseconds;
        _client = client;
        _time = time;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds() * 1000;
        var url = $"{_address}/api/v2/metrics/query?from={(now - _fromDeltaMs).ToString(CultureInfo.InvariantCulture)}" +
                  $"&metricSelector={Uri.EscapeDataString(query)}&resolution=Inf&to={now.ToString(CultureInfo.InvariantCulture)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", "Api-Token " + _token);
        var (status, _, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}");
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Array && result.GetArrayLength() > 0
                && result[0].TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0
                && data[data.GetArrayLength() - 1].TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array
                && values.GetArrayLength() > 0 && values[0].ValueKind == JsonValueKind.Number)
            {
                return values[0].GetDouble();
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
        using var request = new HttpRequestMessage(HttpMethod.Get, _address + "/api/v2/metrics?pageSize=1");
        request.Headers.TryAddWithoutValidation("Authorization", "Api-Token " + _token);
        var (status, _, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}");
        }
    }
}
