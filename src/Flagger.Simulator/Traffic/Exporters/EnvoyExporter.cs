using System.Globalization;
using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Envoy's upstream cluster statistics as Contour exposes them: <c>envoy_cluster_upstream_rq</c> (by response code) and
/// the <c>envoy_cluster_upstream_rq_time</c> histogram (ms), one cluster per destination Service and port, named
/// <c>&lt;namespace&gt;_&lt;service&gt;_&lt;port&gt;</c> — so requests to <c>podinfo-canary</c> count for
/// <c>test_podinfo-canary_9898</c>. A Service without a port has no Envoy cluster and is not recorded. A route that
/// names its Envoy cluster itself (<see cref="ClusterVia"/>: Kourier's <c>&lt;namespace&gt;/&lt;revision&gt;</c> for
/// Knative) is recorded under that name instead.
/// </summary>
// upstream: pkg/metrics/observers/contour.go selects envoy_cluster_name=~"<ns>_<service>-canary_<port>", envoy_response_code.
internal sealed class EnvoyExporter : ITrafficExporter
{
    /// <summary>Envoy's default histogram buckets (ms).</summary>
    public static readonly double[] BucketsMs = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly Counter requests;
    private readonly Histogram duration;

    public EnvoyExporter(IMetricFactory factory)
    {
        requests = factory.CreateCounter("envoy_cluster_upstream_rq", "Upstream requests per Envoy cluster and response code (Contour naming).",
            new CounterConfiguration { LabelNames = ["envoy_cluster_name", "envoy_response_code"] });
        duration = factory.CreateHistogram("envoy_cluster_upstream_rq_time", "Upstream request time per Envoy cluster in ms (Contour naming).",
            new HistogramConfiguration { LabelNames = ["envoy_cluster_name"], Buckets = BucketsMs });
    }

    /// <summary>Contour's Envoy cluster (statistics) name for a Service port.</summary>
    public static string ClusterName(string ns, string service, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{ns}_{service}_{port}");

    /// <summary>The <see cref="RequestOutcome.Via"/> of a route whose proxy names the Envoy cluster <paramref name="clusterName"/>.</summary>
    public static string ClusterVia(string clusterName) => ClusterViaPrefix + clusterName;

    private const string ClusterViaPrefix = "envoy-cluster:";

    public void Record(RequestOutcome o)
    {
        string cluster;
        if (o.Via?.StartsWith(ClusterViaPrefix, StringComparison.Ordinal) == true)
        {
            cluster = o.Via[ClusterViaPrefix.Length..];
        }
        else if (o.Port is { } port)
        {
            cluster = ClusterName(o.Namespace, o.Service, port);
        }
        else
        {
            return;
        }

        requests.WithLabels(cluster, o.ResponseCode).Inc(o.Count);
        var histogram = duration.WithLabels(cluster);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
        {
            histogram.Observe(value, count);
        }
    }
}
