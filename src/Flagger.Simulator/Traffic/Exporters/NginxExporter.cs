using Flagger.Simulator.Traffic.Routes;
using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// The ingress-nginx controller's request metrics: <c>nginx_ingress_controller_requests</c> and the
/// <c>nginx_ingress_controller_response_duration_seconds</c> histogram, labelled by the Ingress and Service of the
/// location that received the request and <c>canary</c>, the alternative (canary) upstream that served it or "".
/// Only requests the NGINX route carried (<see cref="NginxVia"/>) are recorded.
/// </summary>
// upstream: pkg/metrics/observers/nginx.go selects namespace, ingress, canary!="" and status.
internal sealed class NginxExporter : ITrafficExporter
{
    /// <summary>ingress-nginx's default duration buckets (seconds).</summary>
    public static readonly double[] BucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly string[] LabelNames = ["controller_class", "controller_namespace", "controller_pod", "namespace", "ingress", "service", "canary", "method", "status"];

    private readonly Counter requests;
    private readonly Histogram duration;

    public NginxExporter(IMetricFactory factory)
    {
        requests = factory.CreateCounter("nginx_ingress_controller_requests", "The total number of client requests (simulated ingress-nginx).",
            new CounterConfiguration { LabelNames = LabelNames });
        duration = factory.CreateHistogram("nginx_ingress_controller_response_duration_seconds",
            "The time spent on receiving the response from the upstream server (simulated ingress-nginx).",
            new HistogramConfiguration { LabelNames = LabelNames, Buckets = BucketsSeconds });
    }

    public void Record(RequestOutcome o)
    {
        if (!NginxVia.TryParse(o.Via, out var ingress, out var service, out var canary))
        {
            return;
        }

        string[] labels = ["k8s.io/ingress-nginx", "ingress-nginx", "ingress-nginx-controller-0", o.Namespace, ingress, service, canary, "GET", o.ResponseCode];
        requests.WithLabels(labels).Inc(o.Count);
        var histogram = duration.WithLabels(labels);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs / 1000, o.Sigma, BucketsSeconds))
        {
            histogram.Observe(value, count);
        }
    }
}
