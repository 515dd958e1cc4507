using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Istio's standard metrics as the destination sidecar reports them: <c>istio_requests_total</c> and
/// <c>istio_request_duration_milliseconds</c>, labelled with the destination workload and Service.
/// </summary>
// upstream: pkg/metrics/observers/istio.go selects reporter="destination", destination_workload(_namespace), response_code.
internal sealed class IstioExporter : ITrafficExporter
{
    private static readonly string[] LabelNames = ["reporter", "source_workload", "source_workload_namespace", "destination_workload", "destination_workload_namespace",
        "destination_service", "destination_service_name", "destination_service_namespace", "destination_app", "request_protocol", "response_code"];

    private readonly Counter requests;
    private readonly Histogram duration;

    public IstioExporter(IMetricFactory factory)
    {
        requests = factory.CreateCounter("istio_requests_total", "Requests seen by the simulated mesh (Istio standard metric).",
            new CounterConfiguration { LabelNames = LabelNames });
        // Istio's sidecars are Envoys: its standard duration histogram has Envoy's default buckets.
        duration = factory.CreateHistogram("istio_request_duration_milliseconds", "Request duration in the simulated mesh (Istio standard metric).",
            new HistogramConfiguration { LabelNames = LabelNames, Buckets = EnvoyExporter.BucketsMs });
    }

    public void Record(RequestOutcome o)
    {
        // The load tester is the source; the destination workload shares the Service's namespace.
        string[] labels = ["destination", "loadtester", o.Namespace, o.Workload, o.Namespace, $"{o.Service}.{o.Namespace}.svc.cluster.local",
            o.Service, o.Namespace, o.App, "http", o.ResponseCode];
        requests.WithLabels(labels).Inc(o.Count);
        var histogram = duration.WithLabels(labels);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, EnvoyExporter.BucketsMs))
        {
            histogram.Observe(value, count);
        }
    }
}
