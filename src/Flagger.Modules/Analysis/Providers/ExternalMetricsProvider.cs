using System.Text.Json;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Kubernetes external metrics API: the query <c>&lt;namespace&gt;/&lt;metricName&gt;?labelSelector=&lt;urlencoded&gt;</c>
/// (namespace defaults to <c>default</c>) becomes <c>GET /apis/external.metrics.k8s.io/v1beta1/namespaces/&lt;ns&gt;/&lt;metric&gt;</c>
/// against <c>spec.provider.address</c> or, when empty, the in-cluster API server; <c>token</c> from the Secret is the
/// bearer token. The value is the first item's quantity. IsOnline lists <c>dummy-metric</c> in <c>kube-system</c>.
/// </summary>
// upstream: pkg/metrics/providers/externalmetrics.go
internal sealed class ExternalMetricsProvider : IMetricProvider
{
    private const string ServiceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    private static readonly Lazy<(Uri BaseUri, HttpClient Client)?> InCluster = new(CreateInClusterClient);
    private readonly Uri _base;
    private readonly string? _token;
    private readonly HttpClient _client;

    public ExternalMetricsProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var address = provider.Address;

        _token = ProviderHttp.Credential(credentials, "token");
        if (!string.IsNullOrEmpty(address))
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new MetricProviderConfigException($"error creating external metric client: host must be a URL or a host:port pair: \"{address}\"");
            }

            _base = uri;
            _client = client;
            return;
        }

        var inCluster = InCluster.Value
            ?? throw new MetricProviderConfigException("could not initialize ExternalMetricsProvider: rest config is nil (no spec.provider.address and not running in a cluster)");
        _base = inCluster.BaseUri;
        _client = inCluster.Client;
        _token ??= File.Exists(ServiceAccountTokenPath) ? File.ReadAllText(ServiceAccountTokenPath).Trim() : null;
    }

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var (ns, metric, selector) = ParseQuery(query);
        JsonElement items;
        try
        {
            items = await ListAsync(ns, metric, selector, cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap("error querying external metrics API");
        }

        if (items.ValueKind != JsonValueKind.Array || items.GetArrayLength() < 1)
        {
            throw new MetricQueryException($"no external metrics found: {MetricQueryException.NoValuesFound}", noValues: true);
        }

        var first = items[0];
        if (!first.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new MetricQueryException($"error querying external metrics API: item without a value: {first.GetRawText()}");
        }

        try
        {
            return (double)new ResourceQuantity(value.GetString()).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new MetricQueryException($"error querying external metrics API: invalid quantity \"{value.GetString()}\"", inner: e);
        }
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ListAsync("kube-system", "dummy-metric", null, cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap("external metrics service unavailable");
        }
    }

    /// <summary>Splits <c>&lt;namespace&gt;/&lt;metricName&gt;?labelSelector=…</c> as upstream does.</summary>
    internal static (string Namespace, string Metric, string? LabelSelector) ParseQuery(string query)
    {
        const string Expected = "expected <namespace>/<metricName>?labelSelector=<urlencoded label selectors>";
        var q = query.Trim();
        var qm = q.IndexOf('?', StringComparison.Ordinal);
        var path = (qm >= 0 ? q[..qm] : q).TrimStart('/');
        var parts = path.Split('/');
        if (parts.Length > 2)
        {
            throw new MetricQueryException($"error parsing metric query: malformed query string, too many slashes, {Expected}, got {query}");
        }

        var ns = "default";
        string metric;
        if (parts.Length == 2)
        {
            if (parts[0].Length > 0)
            {
                ns = parts[0];
            }

            metric = parts[1];
        }
        else
        {
            metric = parts[0];
        }

        if (metric.Length == 0)
        {
            throw new MetricQueryException("error parsing metric query: metric name cannot be empty");
        }

        string? selector = null;
        if (qm >= 0)
        {
            foreach (var pair in q[(qm + 1)..].Split('&'))
            {
                if (pair.StartsWith("labelSelector=", StringComparison.Ordinal))
                {
                    selector = Uri.UnescapeDataString(pair["labelSelector=".Length..].Replace('+', ' '));
                    break;
                }
            }
        }

        return (ns, metric, string.IsNullOrEmpty(selector) ? null : selector);
    }

    private async Task<JsonElement> ListAsync(string ns, string metric, string? selector, CancellationToken cancellationToken)
    {
        var url = $"{_base.GetLeftPart(UriPartial.Authority)}{_base.AbsolutePath.TrimEnd('/')}/apis/external.metrics.k8s.io/v1beta1/namespaces/" +
                  $"{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(metric)}" +
                  (selector is null ? "" : "?labelSelector=" + Uri.EscapeDataString(selector));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        if (!string.IsNullOrEmpty(_token))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _token);
        }

        var (status, reason, body) = await ProviderHttp.SendAsync(_client, request, ProviderHttp.Timeout, cancellationToken).ConfigureAwait(false);
        if (status >= 300)
        {
            throw new MetricQueryException($"{ProviderHttp.StatusLine(status, reason)}: {ProviderHttp.Excerpt(body)}");
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("items", out var items) ? items.Clone() : default;
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"error unmarshaling result: {e.Message}, '{ProviderHttp.Excerpt(body)}'", inner: e);
        }
    }

    private static (Uri, HttpClient)? CreateInClusterClient()
    {
        if (!KubernetesClientConfiguration.IsInCluster())
        {
            return null;
        }

        // The client's handler trusts the cluster CA; the token is set per request.
        var kubernetes = new Kubernetes(KubernetesClientConfiguration.InClusterConfig());
        return (kubernetes.BaseUri, kubernetes.HttpClient);
    }
}
