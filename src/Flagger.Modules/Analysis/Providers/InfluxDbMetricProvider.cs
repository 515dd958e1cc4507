using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// InfluxDB 2 Flux over HTTP: <c>POST &lt;address&gt;/api/v2/query?org=&lt;org&gt;</c> with <c>Authorization: Token</c>,
/// annotated-CSV answer, 15 s timeout. The first record's <c>_value</c> must be a double; an empty value is "no values";
/// an empty result is 0 without error (upstream quirk §12.10, kept).
/// </summary>
// upstream: pkg/metrics/providers/influxdb.go (influxdb-client-go QueryAPI)
internal sealed class InfluxDbMetricProvider : IMetricProvider
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly Uri _endpoint;
    private readonly string? _token;
    private readonly HttpClient _client;

    public InfluxDbMetricProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var (type, address, hasSecretRef) = (provider.Type ?? "influxdb", provider.Address, provider.SecretRef is not null);

        if (string.IsNullOrEmpty(address) || !Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new MetricProviderConfigException($"{type} address {address} is not a valid URL");
        }

        var org = "";
        if (hasSecretRef)
        {
            _token = ProviderHttp.Credential(credentials, "token")
                ?? throw new MetricProviderConfigException($"{type} credentials does not contain an authentication token");
            org = ProviderHttp.Credential(credentials, "org")
                ?? throw new MetricProviderConfigException($"{type} credentials does not contain an organisation");
        }

        var prefix = uri.AbsolutePath.Trim('/');
        _endpoint = new Uri(new UriBuilder(uri.Scheme, uri.Host, uri.Port, "/" + (prefix.Length > 0 ? prefix + "/" : "") + "api/v2/query").Uri
            + "?org=" + Uri.EscapeDataString(org));
        _client = client;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var records = await QueryAsync(query, cancellationToken).ConfigureAwait(false);
        if (records.Count == 0)
        {
            return 0;
        }

        var (record, type, value) = records[0];
        if (value is null)
        {
            throw new MetricQueryException($"invalid response: {record}: {MetricQueryException.NoValuesFound}", noValues: true);
        }

        if (type == "double" && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        throw new MetricQueryException($"invalid response: {record}");
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken) =>
        await QueryAsync("from(bucket: \"default\") |> range(start: -2h)", cancellationToken).ConfigureAwait(false);

    private async Task<List<(string Record, string Type, string? Value)>> QueryAsync(string query, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(new
        {
            query,
            type = "flux",
            dialect = new { header = true, delimiter = ",", annotations = new[] { "datatype", "group", "default" }, commentPrefix = "#", dateTimeFormat = "RFC3339" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        if (!string.IsNullOrEmpty(_token))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Token " + _token);
        }

        var (status, reason, body) = await ProviderHttp.SendAsync(_client, request, Timeout, cancellationToken).ConfigureAwait(false);
        if (status >= 300)
        {
            var message = $"{ProviderHttp.StatusLine(status, reason)}: {ProviderHttp.Excerpt(body)}";
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    message = m.GetString()!;
                }
            }
            catch (JsonException)
            {
                // not JSON: keep the status line and body excerpt
            }

            throw new MetricQueryException($"error accessing influxdb query api: {message}");
        }

        return ParseAnnotatedCsv(body);
    }

    /// <summary>Reads annotated CSV tables: <c>#datatype</c>/<c>#default</c> annotations, a header row, data rows.</summary>
    internal static List<(string Record, string Type, string? Value)> ParseAnnotatedCsv(string csv)
    {
        var result = new List<(string, string, string?)>();
        string[]? types = null;
        string[]? defaults = null;
        string[]? header = null;
        foreach (var raw in csv.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.Length == 0)
            {
                types = defaults = header = null;
                continue;
            }

            var cells = SplitCsv(raw);
            if (cells[0].StartsWith('#'))
            {
                if (cells[0] == "#datatype")
                {
                    types = cells;
                    header = null;
                }
                else if (cells[0] == "#default")
                {
                    defaults = cells;
                }

                continue;
            }

            if (header is null)
            {
                header = cells;
                continue;
            }

            if (Array.IndexOf(header, "error") is var e and > 0 && e < cells.Length && cells[e].Length > 0)
            {
                throw new MetricQueryException($"query error: {cells[e]}");
            }

            var vi = Array.IndexOf(header, "_value");
            var record = "{" + string.Join(",", header.Select((h, i) => (h, v: i < cells.Length ? cells[i] : "")).Where(x => x.h.Length > 0).Select(x => x.h + ":" + x.v)) + "}";
            string? value = vi >= 0 && vi < cells.Length ? cells[vi] : null;
            if (string.IsNullOrEmpty(value))
            {
                value = defaults is not null && vi >= 0 && vi < defaults.Length && defaults[vi].Length > 0 ? defaults[vi] : null;
            }

            var type = types is not null && vi >= 0 && vi < types.Length ? types[vi] : "string";
            result.Add((record, type, value));
        }

        return result;
    }

    private static string[] SplitCsv(string line)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }

        cells.Add(sb.ToString());
        return [.. cells];
    }
}
