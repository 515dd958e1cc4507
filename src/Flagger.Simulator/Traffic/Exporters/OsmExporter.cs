using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Open Service Mesh's Envoy request metrics: <c>osm_request_total</c> and the <c>osm_request_duration_ms</c>
/// histogram, labelled with the destination workload (<c>destination_namespace</c>, <c>destination_kind</c>,
/// <c>destination_name</c>, <c>destination_pod</c>) and the response code; the load tester is the source.
/// </summary>
// upstream: pkg/metrics/observers/osm.go selects destination_namespace, destination_kind="Deployment", destination_name, response_code.
internal sealed class OsmExporter : ITrafficExporter
{
    private static readonly string[] LabelNames = ["source_namespace", "source_kind", "source_name", "destination_namespace", "destination_kind",
        "destination_name", "destination_pod", "response_code"];

    private readonly Counter requests;
    private readonly Histogram duration;

    public OsmExporter(IMetricFactory factory)
    {
        requests = factory.CreateCounter("osm_request_total", "Requests seen by the simulated OSM sidecars.",
            new CounterConfiguration { LabelNames = LabelNames });
        // OSM's sidecars are Envoys: the duration histogram has Envoy's default buckets.
        duration = factory.CreateHistogram("osm_request_duration_ms", "Request duration in ms seen by the simulated OSM sidecars.",
            new HistogramConfiguration { LabelNames = LabelNames, Buckets = EnvoyExporter.BucketsMs });
    }

    public void Record(RequestOutcome o)
    {
        string[] labels = [o.Namespace, "Deployment", "loadtester", o.Namespace, "Deployment", o.Workload, o.Pod ?? "", o.ResponseCode];
        requests.WithLabels(labels).Inc(o.Count);
        var histogram = duration.WithLabels(labels);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, EnvoyExporter.BucketsMs))
        {
            histogram.Observe(value, count);
        }
    }
}
