using System.Globalization;
using Prometheus;

namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// Traefik's per-service series for requests Traefik proxied (<see cref="RequestOutcome.Via"/> from
/// <see cref="Routes.TraefikRouteTable"/>): <c>traefik_service_requests_total</c> and the
/// <c>traefik_service_request_duration_seconds</c> histogram with Traefik's default buckets, labelled
/// <c>service="&lt;ns&gt;-&lt;service&gt;-&lt;port&gt;@kubernetescrd"</c> as the kubernetescrd provider names a
/// TraefikService's Kubernetes Service. A Service without a port is not a Traefik backend.
/// </summary>
// upstream: pkg/metrics/observers/traefik.go selects service=~"<ns>-<target>-canary-[0-9a-zA-Z-]+@kubernetescrd", code, le.
internal sealed class TraefikExporter : ITrafficExporter
{
    /// <summary>Traefik's default histogram buckets (seconds).</summary>
    public static readonly double[] Buckets = [0.1, 0.3, 1.2, 5.0];

    private const string ViaPrefix = "traefikservice/";
    private static readonly double[] BucketsMs = Buckets.Select(b => b * 1000).ToArray();

    private readonly Counter requests;
    private readonly Histogram duration;

    public TraefikExporter(IMetricFactory factory)
    {
        string[] labels = ["code", "method", "protocol", "service"];
        requests = factory.CreateCounter("traefik_service_requests_total", "How many HTTP requests processed on a service, partitioned by status code, protocol, and method.",
            new CounterConfiguration { LabelNames = labels });
        duration = factory.CreateHistogram("traefik_service_request_duration_seconds", "How long it took to process the request on a service, partitioned by status code, protocol, and method.",
            new HistogramConfiguration { LabelNames = labels, Buckets = Buckets });
    }

    /// <summary>The <see cref="RequestOutcome.Via"/> of requests proxied through TraefikService <paramref name="name"/>.</summary>
    public static string ViaTraefikService(string name) => ViaPrefix + name;

    /// <summary>The <c>service</c> label Traefik gives a Kubernetes Service port behind a TraefikService.</summary>
    public static string ServiceLabel(string ns, string service, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{ns}-{service}-{port}@kubernetescrd");

    public void Record(RequestOutcome o)
    {
        if (o.Via?.StartsWith(ViaPrefix, StringComparison.Ordinal) != true || o.Port is not { } port)
        {
            return;
        }

        string[] labels = [o.ResponseCode, "GET", "http", ServiceLabel(o.Namespace, o.Service, port)];
        requests.WithLabels(labels).Inc(o.Count);
        var histogram = duration.WithLabels(labels);
        foreach (var (value, count) in LatencySpread.Spread(o.Count, o.MedianMs, o.Sigma, BucketsMs))
        {
            histogram.Observe(value / 1000, count);
        }
    }
}
