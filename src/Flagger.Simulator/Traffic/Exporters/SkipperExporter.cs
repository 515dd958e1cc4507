using Flagger.Simulator.Traffic.Routes;
using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Skipper's route metrics (<c>-enable-route-response-metrics</c>, <c>-enable-serve-route-metrics</c>):
/// <c>skipper_response_duration_seconds</c> and <c>skipper_serve_route_duration_seconds</c> histograms labelled by
/// <c>code</c>, <c>method</c> and <c>route</c> (the route id, <see cref="SkipperVia"/>). Only requests the Skipper
/// route carried are recorded.
/// </summary>
// upstream: pkg/metrics/observers/skipper.go selects route=~"kube(ew)?_<ns>__<ingress>_canary__.*__<svc>_canary(_[0-9]+)?", code and le="+Inf".
internal sealed class SkipperExporter : ITrafficExporter
{
    private static readonly string[] LabelNames = ["code", "method", "route"];

    private readonly Histogram response;
    private readonly Histogram serve;

    public SkipperExporter(IMetricFactory factory)
    {
        // Skipper registers its histograms with Prometheus' default buckets.
        response = factory.CreateHistogram("skipper_response_duration_seconds", "Duration in seconds of a response (simulated Skipper).",
            new HistogramConfiguration { LabelNames = LabelNames, Buckets = NginxExporter.BucketsSeconds });
        serve = factory.CreateHistogram("skipper_serve_route_duration_seconds", "Duration in seconds of serving a route (simulated Skipper).",
            new HistogramConfiguration { LabelNames = LabelNames, Buckets = NginxExporter.BucketsSeconds });
    }

    public void Record(RequestOutcome o)
    {
        if (!SkipperVia.TryParse(o.Via, out var route))
        {
            return;
        }

        var responseSeries = response.WithLabels(o.ResponseCode, "GET", route);
        var serveSeries = serve.WithLabels(o.ResponseCode, "GET", route);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs / 1000, o.Sigma, NginxExporter.BucketsSeconds))
        {
            responseSeries.Observe(value, count);
            serveSeries.Observe(value, count);
        }
    }
}
