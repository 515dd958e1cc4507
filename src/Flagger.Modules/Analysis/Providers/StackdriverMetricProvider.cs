using System.Globalization;
using System.Text;
using System.Text.Json;
using Flagger.Modules.Analysis.Providers.Google;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Google Cloud Monitoring (Stackdriver) MQL: <c>POST &lt;address&gt;/v3/projects/&lt;project&gt;/timeSeries:query</c> with
/// <c>{"query": …}</c> and an OAuth bearer token. With <c>secretRef</c> the Secret must hold <c>project</c> and may hold
/// <c>serviceAccountKey</c> (JSON); otherwise application default credentials (file, gcloud, metadata server / Workload
/// Identity) are used, and the project comes from them. The value is the first point's first value of the first time
/// series. IsOnline: an empty query answered with <c>INVALID_ARGUMENT</c> counts as online.
/// </summary>
// upstream: pkg/metrics/providers/stackdriver.go (gRPC QueryTimeSeries; the REST form of the same method is used here)
internal sealed class StackdriverMetricProvider : IMetricProvider
{
    public const string DefaultAddress = "https://monitoring.googleapis.com";
    private readonly string _address;
    private readonly string? _project;
    private readonly string? _serviceAccountKey;
    private readonly HttpClient _client;
    private readonly GoogleAuth _auth;

    public StackdriverMetricProvider(
        string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time, GoogleAuth auth)
    {
        _ = (interval, time); // MQL carries its own window; tokens are timed by GoogleAuth
        _address = (string.IsNullOrEmpty(provider.Address) ? DefaultAddress : provider.Address).TrimEnd('/');
        if (!Uri.TryCreate(_address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new MetricProviderConfigException($"stackdriver address {provider.Address} is not a valid URL");
        }

        if (provider.SecretRef is not null)
        {
            _project = ProviderHttp.Credential(credentials, "project")
                ?? throw new MetricProviderConfigException($"{provider.Type} credentials does not contain a project id");
            _serviceAccountKey = ProviderHttp.Credential(credentials, "serviceAccountKey");
            if (_serviceAccountKey is not null)
            {
                try
                {
                    _ = GoogleCredentialFile.Parse(_serviceAccountKey);
                }
                catch (MetricQueryException e)
                {
                    throw new MetricProviderConfigException($"{provider.Type} credentials serviceAccountKey: {e.Message}");
                }
            }
        }

        _client = client;
        _auth = auth;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var (status, body) = await QueryAsync(query, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error requesting stackdriver: {RpcError(status, body).Text}");
        }

        return ParseValue(body);
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken)
    {
        int status;
        string body;
        try
        {
            (status, body) = await QueryAsync("", cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap("unexpected error");
        }

        if (status != 200 && RpcError(status, body).Code != "InvalidArgument")
        {
            throw new MetricQueryException($"unexpected status code: {RpcError(status, body).Code}");
        }
    }

    private async Task<(int Status, string Body)> QueryAsync(string query, CancellationToken cancellationToken)
    {
        string token;
        string project;
        try
        {
            token = await _auth.TokenAsync(_serviceAccountKey, cancellationToken).ConfigureAwait(false);
            project = _project ?? await _auth.DefaultProjectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap("error requesting stackdriver");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_address}/v3/projects/{Uri.EscapeDataString(project)}/timeSeries:query")
        {
            Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["query"] = query }), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        var (status, _, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        return (status, body);
    }

    private static double ParseValue(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("timeSeriesData", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() < 1)
            {
                throw new MetricQueryException($"invalid response: <nil>: {MetricQueryException.NoValuesFound}", noValues: true);
            }

            var first = data[0];
            if (!first.TryGetProperty("pointData", out var points) || points.ValueKind != JsonValueKind.Array || points.GetArrayLength() < 1
                || !points[0].TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array || values.GetArrayLength() < 1)
            {
                throw new MetricQueryException($"invalid response: {ProviderHttp.Excerpt(first.GetRawText())}: {MetricQueryException.NoValuesFound}", noValues: true);
            }

            var value = values[0];
            if (value.TryGetProperty("doubleValue", out var d))
            {
                var number = d.ValueKind == JsonValueKind.String ? PrometheusMetricProvider.ParseFloat(d.GetString()!) : d.GetDouble();

                // NaN would pass every threshold (upstream's quirk); it is no data here.
                return double.IsNaN(number)
                    ? throw new MetricQueryException($"invalid response: {ProviderHttp.Excerpt(first.GetRawText())}: {MetricQueryException.NoValuesFound}", noValues: true)
                    : number;
            }

            // Upstream's GetDoubleValue() reads an int64 point as 0; this port reads its value (a never-passing 0 hid real data).
            if (value.TryGetProperty("int64Value", out var i) && long.TryParse(i.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
            {
                return l;
            }

            throw new MetricQueryException($"invalid response: point value {value.GetRawText()} is not a number");
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"error requesting stackdriver: invalid JSON response: {e.Message}", inner: e);
        }
    }

    /// <summary>The gRPC code name (<c>INVALID_ARGUMENT</c> → <c>InvalidArgument</c>) and the text Go's gRPC error prints.</summary>
    internal static (string Code, string Text) RpcError(int status, string body)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                code = error.TryGetProperty("status", out var s) ? s.GetString() : null;
                message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // not a Google error body: keep the HTTP status
        }

        var name = code is null
            ? $"HTTP{status}"
            : string.Concat(code.Split('_').Select(w => w.Length == 0 ? "" : w[..1] + w[1..].ToLowerInvariant()));
        return (name, $"rpc error: code = {name} desc = {message ?? ProviderHttp.Excerpt(body)}");
    }
}
