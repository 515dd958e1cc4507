using System.Globalization;
using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Envoy's upstream cluster statistics as Contour exposes them: <c>envoy_cluster_upstream_rq</c> (by response code) and
/// the <c>envoy_cluster_upstream_rq_time</c> histogram (ms), one cluster per destination Service and port, named
/// <c>&lt;namespace&gt;_&lt;service&gt;_&lt;port&gt;</c> — so requests to <c>podinfo-canary</c> count for
/// <c>test_podinfo-canary_9898</c>. A Service without a port has no Envoy cluster and is not recorded.
/// Requests a Gloo route carried (<see cref="RequestOutcome.Via"/> = <see cref="GlooUpstreamVia"/>) are also recorded
/// under Gloo's cluster name, <c>&lt;upstream&gt;_&lt;upstream namespace&gt;</c>.
/// </summary>
// upstream: pkg/metrics/observers/contour.go selects envoy_cluster_name=~"<ns>_<service>-canary_<port>", envoy_response_code;
// pkg/metrics/observers/gloo.go selects envoy_cluster_name=~"<ns>-<target>-canaryupstream-<port>_<ns>".
internal sealed class EnvoyExporter : ITrafficExporter
{
    /// <summary>Envoy's default histogram buckets (ms).</summary>
    public static readonly double[] BucketsMs = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly Counter requests;
    private readonly Histogram duration;

    public EnvoyExporter(IMetricFactory factory)
    {
        requests = factory.CreateCounter("envoy_cluster_upstream_rq", "Upstream requests per Envoy cluster and response code (Contour and Gloo naming).",
            new CounterConfiguration { LabelNames = ["envoy_cluster_name", "envoy_response_code"] });
        duration = factory.CreateHistogram("envoy_cluster_upstream_rq_time", "Upstream request time per Envoy cluster in ms (Contour and Gloo naming).",
            new HistogramConfiguration { LabelNames = ["envoy_cluster_name"], Buckets = BucketsMs });
    }

    /// <summary>Contour's Envoy cluster (statistics) name for a Service port.</summary>
    public static string ClusterName(string ns, string service, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{ns}_{service}_{port}");

    /// <summary>The <see cref="RequestOutcome.Via"/> of requests a Gloo route sent to an Upstream: Gloo's Envoy cluster name.</summary>
    public static string GlooUpstreamVia(string upstream, string upstreamNamespace) => GlooViaPrefix + upstream + "_" + upstreamNamespace;

    private const string GlooViaPrefix = "gloo.solo.io/upstream:";

    public void Record(RequestOutcome o)
    {
        if (o.Via is { } via && via.StartsWith(GlooViaPrefix, StringComparison.Ordinal))
        {
            Record(via[GlooViaPrefix.Length..], o);
        }

        if (o.Port is { } port)
        {
            Record(ClusterName(o.Namespace, o.Service, port), o);
        }
    }

    private void Record(string cluster, RequestOutcome o)
    {
        requests.WithLabels(cluster, o.ResponseCode).Inc(o.Count);
        var histogram = duration.WithLabels(cluster);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
        {
            histogram.Observe(value, count);
        }
    }
}
