using System.Globalization;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// New Relic Insights <c>GET /v1/accounts/&lt;id&gt;/query?nrql=&lt;query&gt; SINCE &lt;interval seconds&gt; seconds ago</c>
/// with <c>X-Query-Key</c>; exactly one non-null <c>results[].result</c>. IsOnline runs <c>SELECT * FROM Metric</c>.
/// </summary>
// upstream: pkg/metrics/providers/newrelic.go
internal sealed class NewRelicMetricProvider : IMetricProvider
{
    public const string DefaultAddress = "https://insights-api.newrelic.com";
    private readonly string _endpoint;
    private readonly string _queryKey;
    private readonly long _sinceSeconds;
    private readonly HttpClient _client;

    public NewRelicMetricProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var address = provider.Address;

        var host = string.IsNullOrEmpty(address) ? DefaultAddress : address;
        var account = ProviderHttp.Credential(credentials, "newrelic_account_id")
            ?? throw new MetricProviderConfigException("newrelic credentials does not contain the key 'newrelic_account_id'");
        _endpoint = $"{host}/v1/accounts/{account}/query";
        _queryKey = ProviderHttp.Credential(credentials, "newrelic_query_key")
            ?? throw new MetricProviderConfigException("newrelic credentials does not contain the key 'newrelic_query_key'");
        if (!GoDuration.TryParse(interval, out var md))
        {
            throw new MetricProviderConfigException($"error parsing metric interval: time: invalid duration \"{interval}\"");
        }

        _sinceSeconds = (long)md.TotalSeconds;
        _client = client;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var (status, _, body) = await SendAsync(query, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}");
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array
                && results.GetArrayLength() == 1 && results[0].TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Number)
            {
                return result.GetDouble();
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
        var (status, _, body) = await SendAsync("SELECT * FROM Metric", cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}");
        }
    }

    private async Task<(int, string, string)> SendAsync(string query, CancellationToken cancellationToken)
    {
        var nrql = $"{query} SINCE {_sinceSeconds.ToString(CultureInfo.InvariantCulture)} seconds ago";
        using var request = new HttpRequestMessage(HttpMethod.Get, _endpoint + "?nrql=" + Uri.EscapeDataString(nrql));
        request.Headers.TryAddWithoutValidation("X-Query-Key", _queryKey);
        return await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
    }
}
