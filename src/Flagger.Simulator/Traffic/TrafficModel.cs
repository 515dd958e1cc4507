using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic.Exporters;
using Flagger.Simulator.Traffic.Routes;
using Microsoft.Extensions.Logging;

namespace Flagger.Simulator.Traffic;

/// <summary>
/// Every tick, each Service with a request rate (annotation <c>simulator.flagger.app/rps</c> or the control API) sends
/// rate × tick requests, routed by the first route table that routes the Service (Istio VirtualService: header matches,
/// weights, mirror; otherwise the Service's own selector, for blue/green). Each receiving workload answers with the
/// error rate, error code and latency of its pod-template annotations, and every exporter records the outcomes as
/// its mesh's Prometheus series.
/// </summary>
internal sealed partial class TrafficModel(
    ClusterStore store,
    IReadOnlyList<IRouteTable> routeTables,
    IReadOnlyList<ITrafficExporter> exporters,
    TimeSpan period,
    ILogger<TrafficModel> logger)
{
    public const string RpsAnnotation = "simulator.flagger.app/rps";
    public const string HeadersAnnotation = "simulator.flagger.app/headers";
    public const string ErrorRateAnnotation = "simulator.flagger.app/error-rate";
    public const string ErrorCodeAnnotation = "simulator.flagger.app/error-code";
    public const string LatencyAnnotation = "simulator.flagger.app/latency-ms";
    public const string LatencySigmaAnnotation = "simulator.flagger.app/latency-sigma";

    private readonly TrafficSources sources = new();
    private readonly Upstreams upstreams = new(store);
    private readonly DeliveryLedger ledger = new();
    private readonly Lock tickGate = new();

    public TimeSpan Period => period;

    /// <summary>Sets (or with rps 0 clears) the request rate of a Service, overriding its annotation.</summary>
    public void SetSource(string ns, string service, TrafficSource source) => sources.Set(ns, service, source);

    /// <summary>Parses <c>name=value:fraction;name2=value2:fraction</c>; malformed entries are ignored.</summary>
    public static IReadOnlyList<HeaderShare> ParseHeaders(string? text) => TrafficSources.ParseHeaders(text);

    public JsonObject Describe() => new() { ["periodMs"] = period.TotalMilliseconds, ["overrides"] = sources.Describe() };

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, store.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    Tick(period);
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException or ArgumentException)
                {
                    // One unreadable routing object must not stop the traffic for every other Service.
                    Log.TickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Cluster stopping.
        }
    }

    /// <summary>Sends one tick's worth of requests for every Service with a rate.</summary>
    public void Tick(TimeSpan elapsed)
    {
        lock (tickGate)
        {
            var deliveries = store.Read(() => Plan(elapsed.TotalSeconds));
            foreach (var group in deliveries.GroupBy(d => (d.Service, d.Namespace, d.Port, d.Target, d.Via)))
            {
                var (service, ns, port, target, via) = group.Key;
                foreach (var outcome in ledger.Settle(service, ns, port, target, group.Sum(d => d.Requests), via))
                {
                    foreach (var exporter in exporters)
                    {
                        exporter.Record(outcome);
                    }
                }
            }
        }
    }

    private List<Delivery> Plan(double seconds)
    {
        var result = new List<Delivery>();
        foreach (var svc in store.Scan(BuiltinTypes.Services, null))
        {
            if (sources.Of(svc) is not { } source)
            {
                continue;
            }

            var ns = svc.Namespace!;
            var total = source.Rps * seconds;
            var route = routeTables.Select(t => t.Find(store, ns, svc.Name)).FirstOrDefault(r => r is not null);
            foreach (var (headers, share) in Classes(source))
            {
                var requests = total * share;
                if (requests > 0 && route?.RuleFor(headers) is { } rule)
                {
                    Apply(rule, ns, requests, result);
                }
            }
        }

        return result;
    }

    /// <summary>One request class per header share, then the requests without any of the headers.</summary>
    private static IEnumerable<(Dictionary<string, string> Headers, double Share)> Classes(TrafficSource source)
    {
        var headerShare = 0.0;
        foreach (var h in source.Headers)
        {
            yield return (new Dictionary<string, string> { [h.Name] = h.Value }, h.Fraction);
            headerShare += h.Fraction;
        }

        yield return (new Dictionary<string, string>(), Math.Max(0, 1 - headerShare));
    }

    private void Apply(RouteRule rule, string ns, double requests, List<Delivery> result)
    {
        var sum = rule.Destinations.Sum(d => d.Weight);
        foreach (var destination in rule.Destinations)
        {
            if (sum > 0 && destination.Weight > 0)
            {
                upstreams.Send(destination.Service, ns, requests * destination.Weight / sum, result, destination.Via);
            }
        }

        if (rule.Mirror is { } mirror)
        {
            upstreams.Send(mirror.Service, ns, requests * mirror.Percent / 100, result, mirror.Via);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "traffic tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
