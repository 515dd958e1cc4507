using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// The APISIX prometheus plugin's series for requests served by an APISIX route with the plugin
/// (<see cref="RequestOutcome.Via"/> from <see cref="Routes.ApisixRouteTable"/>): <c>apisix_http_status</c> by code and
/// route, and the <c>apisix_http_latency</c> histogram (ms, APISIX's default buckets) of types <c>request</c> and
/// <c>upstream</c>.
/// </summary>
// upstream: pkg/metrics/observers/apisix.go selects apisix_http_status{route=~"<ns>_<route>-<target>-canary_.+",code}
// and apisix_http_latency_bucket{type=~"request",route=~...}.
internal sealed class ApisixExporter : ITrafficExporter
{
    /// <summary>APISIX's default latency buckets (ms).</summary>
    public static readonly double[] BucketsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];

    private const string ViaPrefix = "apisixroute/";

    private readonly Counter status;
    private readonly Histogram latency;

    public ApisixExporter(IMetricFactory factory)
    {
        status = factory.CreateCounter("apisix_http_status", "HTTP status codes per service in APISIX",
            new CounterConfiguration { LabelNames = ["code", "route", "matched_uri", "matched_host", "service", "consumer", "node"] });
        latency = factory.CreateHistogram("apisix_http_latency", "HTTP request latency in milliseconds per service in APISIX",
            new HistogramConfiguration { LabelNames = ["type", "route", "service", "consumer", "node"], Buckets = BucketsMs });
    }

    /// <summary>The <see cref="RequestOutcome.Via"/> of requests served by the APISIX route labelled <paramref name="routeLabel"/>.</summary>
    public static string ViaRoute(string routeLabel) => ViaPrefix + routeLabel;

    public void Record(RequestOutcome o)
    {
        if (o.Via?.StartsWith(ViaPrefix, StringComparison.Ordinal) != true)
        {
            return;
        }

        var route = o.Via[ViaPrefix.Length..];
        var node = o.Pod ?? "";
        status.WithLabels(o.ResponseCode, route, "", "", "", "", node).Inc(o.Count);
        foreach (var type in new[] { "request", "upstream" })
        {
            var histogram = latency.WithLabels(type, route, "", "", node);
            foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
            {
                histogram.Observe(value, count);
            }
        }
    }
}
