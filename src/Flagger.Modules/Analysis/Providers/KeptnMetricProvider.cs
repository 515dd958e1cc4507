using System.Globalization;
using System.Text.Json;
using Flagger.Modules.Analysis.Providers.Keptn;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Keptn through the cluster's API: the (lower-cased) query <c>keptnmetric/&lt;ns&gt;/&lt;name&gt;</c> reads a KeptnMetric's
/// <c>status.value</c>; <c>analysis/&lt;ns&gt;/&lt;definition&gt;[/&lt;duration=1m&gt;[/&lt;k=v;k2=v2&gt;]]</c> creates an Analysis
/// <c>&lt;definition&gt;-&lt;6 random chars&gt;</c>, polls it every second for up to 10 s until <c>status.state</c> is
/// <c>Completed</c>, returns 1 when <c>status.pass</c> else 0, and deletes it. IsOnline is always true.
/// </summary>
// upstream: pkg/metrics/providers/keptn.go
internal sealed class KeptnMetricProvider : IMetricProvider
{
    private const string QueryFormat = "unexpected query format. query must be in the format <keptnmetric|analysis>/<namespace>/<resourceName>/<duration>/<arguments>";
    private readonly KubeApiClient _kube;
    private readonly TimeProvider _time;
    private readonly TimeSpan _analysisTimeout;
    private readonly TimeSpan _pollInterval;

    public KeptnMetricProvider(
        string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, KubeApiClient? kube, TimeProvider time,
        TimeSpan? analysisTimeout = null, TimeSpan? pollInterval = null)
    {
        _ = (interval, provider, credentials); // the in-cluster identity of the operator is used, as upstream
        _kube = kube ?? throw new MetricProviderConfigException("could not initialize KeptnProvider: no KubeConfig provided");
        _time = time;
        _analysisTimeout = analysisTimeout ?? TimeSpan.FromSeconds(10);
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
    }

    public Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        var q = ParseQuery(query);
        return q.Kind == "keptnmetrics" ? QueryMetricAsync(q, cancellationToken) : QueryAnalysisAsync(q, cancellationToken);
    }

    public Task IsOnlineAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal sealed record KeptnQuery(string Kind, string Namespace, string Name, string Duration, Dictionary<string, string> Args);

    /// <summary>Upstream's parser: lower-cased, split on <c>/</c>, at least three parts; args <c>k=v</c> joined by <c>;</c>.</summary>
    internal static KeptnQuery ParseQuery(string query)
    {
        var split = query.ToLowerInvariant().TrimEnd('\n').Trim().Split('/');
        if (split.Length < 3)
        {
            throw new MetricQueryException(QueryFormat);
        }

        var kind = split[0] switch
        {
            "keptnmetric" or "keptnmetrics" => "keptnmetrics",
            "analysis" or "analyses" => "analyses",
            _ => throw new MetricQueryException("unexpected resource kind provided in the query. must be one of: ['keptnmetric', 'analysis']"),
        };
        var args = new Dictionary<string, string>();
        if (kind == "analyses" && split.Length >= 5)
        {
            foreach (var pair in split[4].Split(';'))
            {
                if (pair.Split('=') is [var k, var v])
                {
                    args[k] = v;
                }
            }
        }

        return new KeptnQuery(kind, split[1], split[2], kind == "analyses" && split.Length >= 4 ? split[3] : "1m", args);
    }

    private async Task<double> QueryMetricAsync(KeptnQuery q, CancellationToken cancellationToken)
    {
        KeptnMetric? metric;
        try
        {
            metric = await _kube.GetAsync<KeptnMetric>(q.Namespace, q.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            throw new MetricQueryException($"could not retrieve KeptnMetric {q.Namespace}/{q.Name}: {e.Message}", inner: e);
        }

        if (metric is null)
        {
            throw new MetricQueryException($"could not retrieve KeptnMetric {q.Namespace}/{q.Name}: keptnmetrics.metrics.keptn.sh \"{q.Name}\" not found");
        }

        if (metric.Status is { ValueKind: JsonValueKind.Object } status && status.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
        {
            return double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? double.IsNaN(v)
                    ? throw new MetricQueryException($"KeptnMetric {q.Namespace}/{q.Name} value is NaN: {MetricQueryException.NoValuesFound}", noValues: true)
                    : v
                : throw new MetricQueryException($"could not parse value of KeptnMetric {q.Namespace}/{q.Name} to float: strconv.ParseFloat: parsing \"{value.GetString()}\": invalid syntax");
        }

        throw new MetricQueryException($"could not retrieve KeptnMetric - no value found in resource {q.Namespace}/{q.Name}");
    }

    private async Task<double> QueryAnalysisAsync(KeptnQuery q, CancellationToken cancellationToken)
    {
        var analysis = new KeptnAnalysis
        {
            Metadata = new() { Name = $"{q.Name}-{Guid.NewGuid().ToString()[..6]}", NamespaceProperty = q.Namespace },
            Spec = new() { AnalysisDefinition = new() { Name = q.Name }, Timeframe = new() { Recent = q.Duration }, Args = q.Args },
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_analysisTimeout);
        KeptnAnalysis created;
        try
        {
            created = await _kube.CreateAsync(analysis, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new MetricQueryException($"could not create Keptn Analysis {q.Namespace}/{q.Name}: {e.Message}", inner: e);
        }

        try
        {
            return await PollAsync(q, created.Metadata.Name, cts.Token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DeleteQuietlyAsync(q.Namespace, created.Metadata.Name).ConfigureAwait(false);
        }
    }

    private async Task<double> PollAsync(KeptnQuery q, string name, CancellationToken timed, CancellationToken caller)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_pollInterval, _time, timed).ConfigureAwait(false);
                KeptnAnalysis? current;
                try
                {
                    current = await _kube.GetAsync<KeptnAnalysis>(q.Namespace, name, timed).ConfigureAwait(false);
                }
                catch (KubeApiException e)
                {
                    throw new MetricQueryException($"could not check status of created Keptn Analysis {q.Namespace}/{q.Name}: {e.Message}", inner: e);
                }

                if (current?.Status is { ValueKind: JsonValueKind.Object } status
                    && status.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.String && state.GetString() == "Completed"
                    && status.TryGetProperty("pass", out var pass) && pass.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    return pass.GetBoolean() ? 1 : 0;
                }
            }
        }
        catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
        {
            throw new MetricQueryException($"encountered timeout while waiting for Keptn Analysis {q.Namespace}/{q.Name} to be finished", inner: e);
        }
    }

    private async Task DeleteQuietlyAsync(string ns, string name)
    {
        try
        {
            // Own short deadline: the check's token may be the one that just expired.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _kube.DeleteAsync<KeptnAnalysis>(ns, name, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or OperationCanceledException)
        {
            // Upstream only logs this; the Analysis is left for the user (or its TTL) to clean up and the check's result stands.
        }
    }
}
