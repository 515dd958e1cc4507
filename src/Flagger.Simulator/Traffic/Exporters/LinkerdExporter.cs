using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Linkerd's proxy metrics as the destination's inbound proxy reports them: <c>response_total</c> (classified
/// <c>success</c>/<c>failure</c>, 5xx being failures) and the <c>response_latency_ms</c> histogram, labelled with the
/// destination Deployment and namespace and <c>direction="inbound"</c>.
/// </summary>
// upstream: pkg/metrics/observers/linkerd.go selects namespace, deployment, direction="inbound", classification.
internal sealed class LinkerdExporter : ITrafficExporter
{
    /// <summary>The Linkerd proxy's latency buckets (ms).</summary>
    public static readonly double[] BucketsMs = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000];

    private readonly Counter responses;
    private readonly Histogram latency;

    public LinkerdExporter(IMetricFactory factory)
    {
        responses = factory.CreateCounter("response_total", "Responses seen by the simulated Linkerd proxies.",
            new CounterConfiguration { LabelNames = ["direction", "namespace", "deployment", "pod", "status_code", "classification"] });
        latency = factory.CreateHistogram("response_latency_ms", "Response latency in ms seen by the simulated Linkerd proxies.",
            new HistogramConfiguration { LabelNames = ["direction", "namespace", "deployment", "pod", "status_code"], Buckets = BucketsMs });
    }

    public void Record(RequestOutcome o)
    {
        var classification = o.ResponseCode.StartsWith('5') ? "failure" : "success";
        responses.WithLabels("inbound", o.Namespace, o.Workload, o.Pod ?? "", o.ResponseCode, classification).Inc(o.Count);
        var histogram = latency.WithLabels("inbound", o.Namespace, o.Workload, o.Pod ?? "", o.ResponseCode);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
        {
            histogram.Observe(value, count);
        }
    }
}
