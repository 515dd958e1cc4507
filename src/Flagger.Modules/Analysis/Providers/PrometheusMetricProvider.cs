using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// PromQL over <c>GET &lt;address&gt;/api/v1/query</c>: whitespace-collapsed query, the address's path prefix kept,
/// <c>headers</c> replacing the request headers, bearer token or basic auth from the Secret, 5 s timeout. The value is
/// <c>value[1]</c> of the last vector series; a matrix is an error; no series or NaN is "no values found".
/// </summary>
// upstream: pkg/metrics/providers/prometheus.go
internal sealed partial class PrometheusMetricProvider : IMetricProvider
{
    private const string OnlineQuery = "vector(1)";
    private readonly Uri _queryEndpoint;
    private readonly HttpClient _client;
    private readonly IReadOnlyDictionary<string, List<string>>? _headers;
    private readonly string? _token;
    private readonly (string User, string Password)? _basic;

    public PrometheusMetricProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var (type, address, headers, hasSecretRef) = (provider.Type ?? "prometheus", provider.Address, provider.Headers, provider.SecretRef is not null);

        if (string.IsNullOrEmpty(address) || !Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new MetricProviderConfigException($"{type} address {address} is not a valid URL");
        }

        // path.Join(prefix, "api/v1/query"): the prefix is kept, duplicate slashes collapse
        var prefix = uri.AbsolutePath.Trim('/');
        var path = "/" + (prefix.Length > 0 ? prefix + "/" : "") + "api/v1/query";
        _queryEndpoint = new UriBuilder(uri.Scheme, uri.Host, uri.Port, path).Uri;
        _headers = headers;
        _client = client;
        if (hasSecretRef)
        {
            _token = ProviderHttp.Credential(credentials, "token");
            if (_token is null)
            {
                var user = ProviderHttp.Credential(credentials, "username")
                    ?? throw new MetricProviderConfigException($"{type} credentials does not contain a username");
                var password = ProviderHttp.Credential(credentials, "password")
                    ?? throw new MetricProviderConfigException($"{type} credentials does not contain a password");
                _basic = (user, password);
            }
        }
        else if (uri.UserInfo.Length > 0)
        {
            // Go's client sends credentials embedded in the address (http://user:pass@host) as basic auth.
            var parts = uri.UserInfo.Split(':', 2);
            _basic = (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
        }
    }

    /// <summary>The query endpoint (for tests and messages).</summary>
    public Uri QueryEndpoint => _queryEndpoint;

    /// <summary>Collapses every whitespace run to one space, as upstream does before sending.</summary>
    public static string TrimQuery(string query) => Whitespace().Replace(query, " ");

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var url = new Uri(_queryEndpoint + "?query=" + WebUtility.UrlEncode(TrimQuery(query)));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (_headers is not null)
        {
            foreach (var (name, values) in _headers)
            {
                request.Headers.TryAddWithoutValidation(name, values);
            }
        }

        if (!string.IsNullOrEmpty(_token))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _token);
        }
        else if (_basic is { } b && b.User.Length > 0 && b.Password.Length > 0)
        {
            request.Headers.Authorization = ProviderHttp.Basic(b.User, b.Password);
        }

        var (status, reason, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        if (status >= 400)
        {
            throw new MetricQueryException($"error response: Status {status} {reason}: {ProviderHttp.Excerpt(body)}");
        }

        return ParseValue(body);
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken)
    {
        double value;
        try
        {
            value = await RunQueryAsync(OnlineQuery, cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap("running query failed");
        }

        if (value != 1)
        {
            throw new MetricQueryException($"value is not 1 for query: {OnlineQuery}");
        }
    }

    private static double ParseValue(string body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"error unmarshaling result: {e.Message}, '{ProviderHttp.Excerpt(body)}'", inner: e);
        }

        using (doc)
        {
            double? value = null;
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("result", out var result))
            {
                var resultType = data.TryGetProperty("resultType", out var rt) ? rt.GetString() : null;
                if (resultType is "scalar" or "string" && result.ValueKind == JsonValueKind.Array)
                {
                    value = Sample(result);
                }
                else if (result.ValueKind == JsonValueKind.Array)
                {
                    foreach (var series in result.EnumerateArray())
                    {
                        if (series.ValueKind != JsonValueKind.Object)
                        {
                            continue;
                        }

                        if (series.TryGetProperty("values", out var values) && values.ValueKind != JsonValueKind.Null)
                        {
                            throw new MetricQueryException("query returned multiple values");
                        }

                        // quirk §12.11: several series → the value of the last one
                        if (series.TryGetProperty("value", out var sample))
                        {
                            value = Sample(sample) ?? value;
                        }
                    }
                }
            }

            if (value is null || double.IsNaN(value.Value))
            {
                throw new MetricQueryException(MetricQueryException.NoValuesFound, noValues: true);
            }

            return value.Value;
        }
    }

    private static double? Sample(JsonElement pair)
    {
        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() < 2 || pair[1].ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return ParseFloat(pair[1].GetString()!);
    }

    /// <summary>Go <c>strconv.ParseFloat</c> for Prometheus sample values (<c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> included).</summary>
    internal static double ParseFloat(string s) => s switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new MetricQueryException($"strconv.ParseFloat: parsing \"{s}\": invalid syntax"),
    };

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
