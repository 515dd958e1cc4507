using System.Globalization;
using System.Text;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Graphite <c>GET &lt;address&gt;/render?&lt;query&gt;&amp;format=json</c> (the query is itself a query string such as
/// <c>target=…&amp;from=-1min</c>), optional basic auth; the value is the last non-null datapoint across all targets.
/// IsOnline runs <c>target=test</c> and tolerates "no values".
/// </summary>
// upstream: pkg/metrics/providers/graphite.go
internal sealed class GraphiteMetricProvider : IMetricProvider
{
    private readonly Uri _render;
    private readonly (string User, string Password)? _basic;
    private readonly HttpClient _client;

    public GraphiteMetricProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var (type, address, hasSecretRef) = (provider.Type ?? "graphite", provider.Address, provider.SecretRef is not null);

        if (string.IsNullOrEmpty(address) || !Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new MetricProviderConfigException($"{type} address {address} is not a valid URL");
        }

        var prefix = uri.AbsolutePath.Trim('/');
        _render = new UriBuilder(uri.Scheme, uri.Host, uri.Port, "/" + (prefix.Length > 0 ? prefix + "/" : "") + "render").Uri;
        if (hasSecretRef)
        {
            var user = ProviderHttp.Credential(credentials, "username")
                ?? throw new MetricProviderConfigException($"{type} credentials does not contain a username");
            var password = ProviderHttp.Credential(credentials, "password")
                ?? throw new MetricProviderConfigException($"{type} credentials does not contain a password");
            _basic = (user, password);
        }

        _client = client;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var url = new Uri(_render + "?" + Normalise(PrometheusMetricProvider.TrimQuery(query)));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (_basic is { } b && b.User.Length > 0 && b.Password.Length > 0)
        {
            request.Headers.Authorization = ProviderHttp.Basic(b.User, b.Password);
        }

        var (status, _, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        if (status >= 400)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}");
        }

        double? value = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new MetricQueryException($"error unmarshaling result: expected a JSON array, '{ProviderHttp.Excerpt(body)}'");
            }

            foreach (var target in doc.RootElement.EnumerateArray())
            {
                if (!target.TryGetProperty("datapoints", out var points) || points.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var point in points.EnumerateArray())
                {
                    if (point.ValueKind != JsonValueKind.Array || point.GetArrayLength() != 2)
                    {
                        throw new MetricQueryException($"error unmarshaling data point: {point.GetRawText()}");
                    }

                    value = point[0].ValueKind switch
                    {
                        JsonValueKind.Number => point[0].GetDouble(),
                        JsonValueKind.String => PrometheusMetricProvider.ParseFloat(point[0].GetString()!),
                        _ => value,
                    };
                }
            }
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"error unmarshaling result: {e.Message}, '{ProviderHttp.Excerpt(body)}'", inner: e);
        }

        return value ?? throw new MetricQueryException(MetricQueryException.NoValuesFound, noValues: true);
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunQueryAsync("target=test", cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e) when (!e.NoValues)
        {
            throw e.Wrap("running query failed");
        }
        catch (MetricQueryException)
        {
            // "no values" means Graphite answered: it is online.
        }
    }

    /// <summary>Go's <c>url.Query()</c> then <c>Set("format","json")</c> and <c>Encode()</c>: decoded pairs, keys sorted, re-encoded.</summary>
    internal static string Normalise(string query)
    {
        var pairs = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0 || part.Contains(';', StringComparison.Ordinal))
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = Unescape(eq >= 0 ? part[..eq] : part);
            var value = Unescape(eq >= 0 ? part[(eq + 1)..] : "");
            if (key is null || value is null)
            {
                continue;
            }

            if (!pairs.TryGetValue(key, out var list))
            {
                pairs[key] = list = [];
            }

            list.Add(value);
        }

        pairs["format"] = ["json"];
        var sb = new StringBuilder();
        foreach (var (key, values) in pairs)
        {
            foreach (var v in values)
            {
                if (sb.Length > 0)
                {
                    sb.Append('&');
                }

                sb.Append(Templates.GoPrintf.QueryEscape(key)).Append('=').Append(Templates.GoPrintf.QueryEscape(v));
            }
        }

        return sb.ToString();
    }

    private static string? Unescape(string s)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= s.Length || !byte.TryParse(s.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                {
                    return null;
                }

                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
