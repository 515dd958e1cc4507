using System.Globalization;
using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Envoy's upstream cluster statistics as Contour exposes them: <c>envoy_cluster_upstream_rq</c> (by response code) and
/// the <c>envoy_cluster_upstream_rq_time</c> histogram (ms), one cluster per destination Service and port, named
/// <c>&lt;namespace&gt;_&lt;service&gt;_&lt;port&gt;</c> — so requests to <c>podinfo-canary</c> count for
/// <c>test_podinfo-canary_9898</c>. A Service without a port has no Envoy cluster and is not recorded.
/// A route that names its Envoy cluster itself (<see cref="ClusterVia"/>: Kourier's <c>&lt;namespace&gt;/&lt;revision&gt;</c>
/// for Knative) is recorded under that name instead.
/// The same requests are also counted as Kuma's sidecars report them: a separate series per destination, labelled
/// with the destination dataplane's Kuma <c>service</c> tag (<c>podinfo-canary_test_svc_9898</c>) and its inbound
/// cluster (<c>localhost_9898</c>); Contour's series leave <c>service</c> empty (absent in Prometheus).
/// Requests a Gloo route carried (<see cref="RequestOutcome.Via"/> = <see cref="GlooUpstreamVia"/>) are also recorded
/// under Gloo's cluster name, <c>&lt;upstream&gt;_&lt;upstream namespace&gt;</c>.
/// The same families also carry App Mesh's series: the Envoy sidecar of the pod that answered, scraped with the pod's
/// <c>kubernetes_namespace</c> and <c>kubernetes_pod_name</c> (requests no pod answered are not recorded). One family
/// has one label set here, so each series leaves the other providers' labels empty, and Prometheus drops empty labels at
/// scrape: Contour's series keep exactly <c>{envoy_cluster_name, envoy_response_code}</c>.
/// </summary>
// upstream: pkg/metrics/observers/contour.go selects envoy_cluster_name=~"<ns>_<service>-canary_<port>", envoy_response_code;
// pkg/metrics/observers/kuma.go selects service=~"<target>-canary_<ns>_svc_<port>", envoy_response_code;
// pkg/metrics/observers/gloo.go selects envoy_cluster_name=~"<ns>-<target>-canaryupstream-<port>_<ns>";
// pkg/metrics/observers/appmesh.go selects kubernetes_namespace, kubernetes_pod_name=~"<target>-<hash>-<id>", envoy_response_code.
internal sealed class EnvoyExporter : ITrafficExporter
{
    /// <summary>Envoy's default histogram buckets (ms).</summary>
    public static readonly double[] BucketsMs = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly Counter requests;
    private readonly Histogram duration;

    public EnvoyExporter(IMetricFactory factory)
    {
        requests = factory.CreateCounter("envoy_cluster_upstream_rq", "Upstream requests per Envoy cluster and response code (Contour, Gloo, Kuma and App Mesh naming).",
            new CounterConfiguration { LabelNames = ["envoy_cluster_name", "envoy_response_code", "service", "kubernetes_namespace", "kubernetes_pod_name"] });
        duration = factory.CreateHistogram("envoy_cluster_upstream_rq_time", "Upstream request time per Envoy cluster in ms (Contour, Gloo, Kuma and App Mesh naming).",
            new HistogramConfiguration { LabelNames = ["envoy_cluster_name", "service", "kubernetes_namespace", "kubernetes_pod_name"], Buckets = BucketsMs });
    }

    /// <summary>Contour's Envoy cluster (statistics) name for a Service port.</summary>
    public static string ClusterName(string ns, string service, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{ns}_{service}_{port}");

    /// <summary>Kuma's service tag of a Kubernetes Service port (the dataplane's <c>kuma.io/service</c>).</summary>
    public static string KumaService(string ns, string service, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{service}_{ns}_svc_{port}");

    /// <summary>The <see cref="RequestOutcome.Via"/> of requests a Gloo route sent to an Upstream: Gloo's Envoy cluster name.</summary>
    public static string GlooUpstreamVia(string upstream, string upstreamNamespace) => GlooViaPrefix + upstream + "_" + upstreamNamespace;

    /// <summary>The <see cref="RequestOutcome.Via"/> of a route whose proxy names the Envoy cluster <paramref name="clusterName"/>.</summary>
    public static string ClusterVia(string clusterName) => ClusterViaPrefix + clusterName;

    private const string GlooViaPrefix = "gloo.solo.io/upstream:";
    private const string ClusterViaPrefix = "envoy-cluster:";

    public void Record(RequestOutcome o)
    {
        if (o.Via is { } gloo && gloo.StartsWith(GlooViaPrefix, StringComparison.Ordinal))
        {
            Observe(o, gloo[GlooViaPrefix.Length..]);
        }

        if (o.Via is { } own && own.StartsWith(ClusterViaPrefix, StringComparison.Ordinal))
        {
            Observe(o, own[ClusterViaPrefix.Length..]);
        }
        else if (o.Port is { } port)
        {
            Observe(o, ClusterName(o.Namespace, o.Service, port));
            Observe(o, string.Create(CultureInfo.InvariantCulture, $"localhost_{port}"), kumaService: KumaService(o.Namespace, o.Service, port));
        }

        if (o.Pod is { } pod)
        {
            Observe(o, "", podNamespace: o.Namespace, pod: pod);
        }
    }

    private void Observe(RequestOutcome o, string cluster, string kumaService = "", string podNamespace = "", string pod = "")
    {
        requests.WithLabels(cluster, o.ResponseCode, kumaService, podNamespace, pod).Inc(o.Count);
        var histogram = duration.WithLabels(cluster, kumaService, podNamespace, pod);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
        {
            histogram.Observe(value, count);
        }
    }
}
