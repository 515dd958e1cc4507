using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// <c>http_request_duration_seconds</c> per pod, as scraped from an instrumented app (podinfo); only requests a pod
/// answered are counted.
/// </summary>
// upstream: pkg/metrics/observers/http.go selects kubernetes_namespace, kubernetes_pod_name, status.
internal sealed class HttpExporter : ITrafficExporter
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] BucketsMs = Buckets.Select(b => b * 1000).ToArray();

    private readonly Histogram duration;

    public HttpExporter(IMetricFactory factory) =>
        duration = factory.CreateHistogram("http_request_duration_seconds", "Request duration per pod (as scraped from an instrumented app).",
            new HistogramConfiguration { LabelNames = ["kubernetes_namespace", "kubernetes_pod_name", "method", "path", "status"], Buckets = Buckets });

    public void Record(RequestOutcome o)
    {
        if (o.Pod is null)
        {
            return;
        }

        var histogram = duration.WithLabels(o.Namespace, o.Pod, "GET", "/", o.ResponseCode);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
        {
            histogram.Observe(value / 1000, count);
        }
    }
}
