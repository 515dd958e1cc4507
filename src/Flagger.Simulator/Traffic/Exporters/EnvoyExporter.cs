using System.Globalization;
using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Envoy's upstream cluster statistics as Contour exposes them: <c>envoy_cluster_upstream_rq</c> (by response code) and
/// the <c>envoy_cluster_upstream_rq_time</c> histogram (ms), one cluster per destination Service and port, named
/// <c>&lt;namespace&gt;_&lt;service&gt;_&lt;port&gt;</c> — so requests to <c>podinfo-canary</c> count for
/// <c>test_podinfo-canary_9898</c>. A Service without a port has no Envoy cluster and is not recorded.
/// The same requests are also counted as Kuma's sidecars report them: a separate series per destination, labelled
/// with the destination dataplane's Kuma <c>service</c> tag (<c>podinfo-canary_test_svc_9898</c>) and its inbound
/// cluster (<c>localhost_9898</c>); Contour's series leave <c>service</c> empty (absent in Prometheus).
/// Requests a Gloo route carried (<see cref="RequestOutcome.Via"/> = <see cref="GlooUpstreamVia"/>) are also recorded
/// under Gloo's cluster name, <c>&lt;upstream&gt;_&lt;upstream namespace&gt;</c>.
/// </summary>
// upstream: pkg/metrics/observers/contour.go selects envoy_cluster_name=~"<ns>_<service>-canary_<port>", envoy_response_code;
// pkg/metrics/observers/kuma.go selects service=~"<target>-canary_<ns>_svc_<port>", envoy_response_code;
// pkg/metrics/observers/gloo.go selects envoy_cluster_name=~"<ns>-<target>-canaryupstream-<port>_<ns>".
internal sealed class EnvoyExporter : ITrafficExporter
{
    /// <summary>Envoy's default histogram buckets (ms).</summary>
    public static readonly double[] BucketsMs = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly Counter requests;
    private readonly Histogram duration;

    public EnvoyExporter(IMetricFactory factory)
    {
        requests = factory.CreateCounter("envoy_cluster_upstream_rq", "Upstream requests per Envoy cluster and response code (Contour, Gloo and Kuma naming).",
            new CounterConfiguration { LabelNames = ["envoy_cluster_name", "envoy_response_code", "service"] });
        duration = factory.CreateHistogram("envoy_cluster_upstream_rq_time", "Upstream request time per Envoy cluster in ms (Contour, Gloo and Kuma naming).",
            new HistogramConfiguration { LabelNames = ["envoy_cluster_name", "service"], Buckets = BucketsMs });
    }

    /// <summary>Contour's Envoy cluster (statistics) name for a Service port.</summary>
    public static string ClusterName(string ns, string service, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{ns}_{service}_{port}");

    /// <summary>Kuma's service tag of a Kubernetes Service port (the dataplane's <c>kuma.io/service</c>).</summary>
    public static string KumaService(string ns, string service, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{service}_{ns}_svc_{port}");

    /// <summary>The <see cref="RequestOutcome.Via"/> of requests a Gloo route sent to an Upstream: Gloo's Envoy cluster name.</summary>
    public static string GlooUpstreamVia(string upstream, string upstreamNamespace) => GlooViaPrefix + upstream + "_" + upstreamNamespace;

    private const string GlooViaPrefix = "gloo.solo.io/upstream:";

    public void Record(RequestOutcome o)
    {
        if (o.Via is { } via && via.StartsWith(GlooViaPrefix, StringComparison.Ordinal))
        {
            Count(o, via[GlooViaPrefix.Length..], "");
        }

        if (o.Port is not { } port)
        {
            return;
        }

        Count(o, ClusterName(o.Namespace, o.Service, port), "");
        Count(o, string.Create(CultureInfo.InvariantCulture, $"localhost_{port}"), KumaService(o.Namespace, o.Service, port));
    }

    private void Count(RequestOutcome o, string cluster, string kumaService)
    {
        requests.WithLabels(cluster, o.ResponseCode, kumaService).Inc(o.Count);
        var histogram = duration.WithLabels(cluster, kumaService);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
        {
            histogram.Observe(value, count);
        }
    }
}
