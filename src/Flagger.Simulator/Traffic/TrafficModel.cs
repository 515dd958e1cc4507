using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.Simulator.Store;
using Flagger.Simulator.Workloads;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Flagger.Simulator.Traffic;

/// <summary>A synthetic request source for one Service: rate and the share of requests carrying each header.</summary>
public sealed record TrafficSource(double Rps, IReadOnlyList<HeaderShare> Headers);

/// <summary>A share (0..1) of a Service's requests that carries header <see cref="Name"/> = <see cref="Value"/>.</summary>
public sealed record HeaderShare(string Name, string Value, double Fraction);

/// <summary>
/// Every tick, each Service with a request rate (annotation <c>simulator.flagger.app/rps</c> or the control API) sends
/// rate × tick requests, routed by the live objects: the first Istio VirtualService whose hosts name the Service
/// (header matches, weights, mirror), otherwise the Service's own selector (blue/green). Each receiving workload
/// answers with the error rate, error code and latency of its pod-template annotations, and the results are exported
/// as Istio's and Kubernetes-style Prometheus series.
/// </summary>
internal sealed partial class TrafficModel
{
    public const string RpsAnnotation = "simulator.flagger.app/rps";
    public const string HeadersAnnotation = "simulator.flagger.app/headers";
    public const string ErrorRateAnnotation = "simulator.flagger.app/error-rate";
    public const string ErrorCodeAnnotation = "simulator.flagger.app/error-code";
    public const string LatencyAnnotation = "simulator.flagger.app/latency-ms";
    public const string LatencySigmaAnnotation = "simulator.flagger.app/latency-sigma";

    private static readonly double[] IstioBuckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
    private static readonly double[] HttpBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ClusterStore store;
    private readonly TimeSpan period;
    private readonly Counter istioRequests;
    private readonly Histogram istioDuration;
    private readonly Histogram httpDuration;
    private readonly ConcurrentDictionary<(string Ns, string Service), TrafficSource> overrides = new();
    private readonly Dictionary<string, double> carry = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> totals = new(StringComparer.Ordinal);
    private readonly Lock tickGate = new();

    private readonly ILogger<TrafficModel> logger;

    public TrafficModel(ClusterStore store, CollectorRegistry registry, TimeSpan period, ILogger<TrafficModel> logger)
    {
        this.store = store;
        this.logger = logger;
        this.period = period;
        var factory = Metrics.WithCustomRegistry(registry);
        istioRequests = factory.CreateCounter("istio_requests_total", "Requests seen by the simulated mesh (Istio standard metric).", new CounterConfiguration
        {
            LabelNames = ["reporter", "source_workload", "source_workload_namespace", "destination_workload", "destination_workload_namespace",
                "destination_service", "destination_service_name", "destination_service_namespace", "destination_app", "request_protocol", "response_code"],
        });
        istioDuration = factory.CreateHistogram("istio_request_duration_milliseconds", "Request duration in the simulated mesh (Istio standard metric).", new HistogramConfiguration
        {
            LabelNames = ["reporter", "source_workload", "source_workload_namespace", "destination_workload", "destination_workload_namespace",
                "destination_service", "destination_service_name", "destination_service_namespace", "destination_app", "request_protocol", "response_code"],
            Buckets = IstioBuckets,
        });
        httpDuration = factory.CreateHistogram("http_request_duration_seconds", "Request duration per pod (as scraped from an instrumented app).", new HistogramConfiguration
        {
            LabelNames = ["kubernetes_namespace", "kubernetes_pod_name", "method", "path", "status"],
            Buckets = HttpBuckets,
        });
    }

    public TimeSpan Period => period;

    /// <summary>Sets (or with rps 0 clears) the request rate of a Service, overriding its annotation.</summary>
    public void SetSource(string ns, string service, TrafficSource source)
    {
        if (source.Rps <= 0)
        {
            overrides.TryRemove((ns, service), out _);
        }
        else
        {
            overrides[(ns, service)] = source;
        }
    }

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

    private sealed record Workload(string Name, string Namespace, string App, long Ready, double ErrorRate, int ErrorCode, double LatencyMs, double Sigma, string PodName);

    private sealed record Delivery(string Service, string Namespace, Workload? Target, double Requests);

    /// <summary>Sends one tick's worth of requests for every Service with a rate.</summary>
    public void Tick(TimeSpan elapsed)
    {
        lock (tickGate)
        {
            var deliveries = store.Read(() => Plan(elapsed.TotalSeconds));
            foreach (var group in deliveries.GroupBy(d => (d.Service, d.Namespace, d.Target)))
            {
                Deliver(group.Key.Service, group.Key.Namespace, group.Key.Target, group.Sum(d => d.Requests));
            }
        }
    }

    private List<Delivery> Plan(double seconds)
    {
        var result = new List<Delivery>();
        var services = store.Scan(BuiltinTypes.Services, null);
        var vsType = store.FindType("networking.istio.io", "v1beta1", "virtualservices") ?? store.FindType("networking.istio.io", "v1", "virtualservices")
            ?? store.FindType("networking.istio.io", "v1alpha3", "virtualservices");
        var virtualServices = vsType is null ? [] : store.Scan(vsType, null).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        foreach (var svc in services)
        {
            var source = SourceOf(svc);
            if (source is null)
            {
                continue;
            }

            var ns = svc.Namespace!;
            var total = source.Rps * seconds;
            var classes = new List<(Dictionary<string, string> Headers, double Share)>();
            var headerShare = 0.0;
            foreach (var h in source.Headers)
            {
                classes.Add((new Dictionary<string, string> { [h.Name] = h.Value }, h.Fraction));
                headerShare += h.Fraction;
            }

            classes.Add((new Dictionary<string, string>(), Math.Max(0, 1 - headerShare)));
            var vs = virtualServices.FirstOrDefault(v => v.Namespace == ns && HostsOf(v).Any(h => SameService(h, svc.Name, ns)));
            foreach (var (headers, share) in classes)
            {
                var requests = total * share;
                if (requests <= 0)
                {
                    continue;
                }

                if (vs is not null)
                {
                    RouteVirtualService(vs, headers, requests, ns, result);
                }
                else
                {
                    RouteSelector(svc, requests, result);
                }
            }
        }

        return result;
    }

    private TrafficSource? SourceOf(StoredObject svc)
    {
        if (overrides.TryGetValue((svc.Namespace!, svc.Name), out var o))
        {
            return o;
        }

        var annotations = svc.Metadata["annotations"] as JsonObject;
        if ((string?)annotations?[RpsAnnotation] is not { } rpsText ||
            !double.TryParse(rpsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var rps) || rps <= 0)
        {
            return null;
        }

        return new TrafficSource(rps, ParseHeaders((string?)annotations?[HeadersAnnotation]));
    }

    /// <summary>Parses <c>name=value:fraction;name2=value2:fraction</c>; malformed entries are ignored.</summary>
    public static IReadOnlyList<HeaderShare> ParseHeaders(string? text)
    {
        var list = new List<HeaderShare>();
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            var colon = part.LastIndexOf(':');
            if (eq > 0 && colon > eq && double.TryParse(part[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction))
            {
                list.Add(new HeaderShare(part[..eq].Trim().ToLowerInvariant(), part[(eq + 1)..colon].Trim(), Math.Clamp(fraction, 0, 1)));
            }
        }

        return list;
    }

    private static IEnumerable<string> HostsOf(StoredObject vs) =>
        (vs.Node["spec"]?["hosts"] as JsonArray)?.Select(h => (string?)h ?? "") ?? [];

    private static bool SameService(string host, string service, string ns) =>
        host == service || host == $"{service}.{ns}" || host == $"{service}.{ns}.svc" || host == $"{service}.{ns}.svc.cluster.local";

    private static string ServiceOfHost(string host) => host.Split('.')[0];

    private void RouteVirtualService(StoredObject vs, Dictionary<string, string> headers, double requests, string ns, List<Delivery> result)
    {
        var routes = vs.Node["spec"]?["http"] as JsonArray ?? [];
        foreach (var route in routes.OfType<JsonObject>())
        {
            if (!Matches(route["match"] as JsonArray, headers))
            {
                continue;
            }

            var destinations = (route["route"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            // Istio: the only destination of a route receives all of its traffic whatever its weight (Flagger's A/B
            // default route is the primary alone with weight 0).
            var weights = destinations.Select(d => destinations.Count == 1 ? 100 : Num(d["weight"]) ?? 0).ToList();
            var sum = weights.Sum();
            for (var i = 0; i < destinations.Count && sum > 0; i++)
            {
                if (weights[i] > 0)
                {
                    var host = (string?)destinations[i]["destination"]?["host"] ?? "";
                    Send(ServiceOfHost(host), ns, requests * weights[i] / sum, result);
                }
            }

            if (route["mirror"]?["host"] is JsonValue mirrorHost)
            {
                var percent = Num(route["mirrorPercentage"]?["value"]) ?? Num(route["mirror_percent"]) ?? 100;
                Send(ServiceOfHost((string?)mirrorHost ?? ""), ns, requests * percent / 100, result);
            }

            return;
        }
    }

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static bool Matches(JsonArray? matches, Dictionary<string, string> headers)
    {
        if (matches is null || matches.Count == 0)
        {
            return true;
        }

        foreach (var match in matches.OfType<JsonObject>())
        {
            if (match["headers"] is not JsonObject wanted)
            {
                return true;
            }

            var all = true;
            foreach (var (name, condition) in wanted)
            {
                if (!headers.TryGetValue(name.ToLowerInvariant(), out var value) || condition is not JsonObject c || !StringMatch(c, value))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    private static bool StringMatch(JsonObject condition, string value)
    {
        if ((string?)condition["exact"] is { } exact)
        {
            return value == exact;
        }

        if ((string?)condition["prefix"] is { } prefix)
        {
            return value.StartsWith(prefix, StringComparison.Ordinal);
        }

        if ((string?)condition["regex"] is { } regex)
        {
            try
            {
                return Regex.IsMatch(value, "^(?:" + regex + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        return false;
    }

    private void RouteSelector(StoredObject svc, double requests, List<Delivery> result) => Send(svc.Name, svc.Namespace!, requests, result);

    /// <summary>Requests to a Service go to the workloads its selector matches, split by ready replicas.</summary>
    private void Send(string service, string ns, double requests, List<Delivery> result)
    {
        var svc = store.TryGet(BuiltinTypes.Services, ns, service);
        var selector = svc is null ? null : StoredObject.ReadMap(svc.Node["spec"]?["selector"]);
        var targets = selector is { Count: > 0 } ? WorkloadsMatching(ns, selector) : [];
        var ready = targets.Where(t => t.Ready > 0).ToList();
        if (ready.Count == 0)
        {
            // No healthy upstream: the mesh answers 503 itself.
            result.Add(new Delivery(service, ns, null, requests));
            return;
        }

        var total = ready.Sum(t => (double)t.Ready);
        foreach (var t in ready)
        {
            result.Add(new Delivery(service, ns, t, requests * t.Ready / total));
        }
    }

    private List<Workload> WorkloadsMatching(string ns, IReadOnlyDictionary<string, string> selector)
    {
        var list = new List<Workload>();
        var labelSelector = LabelSelector.FromMap(selector);
        foreach (var type in new[] { BuiltinTypes.Deployments, BuiltinTypes.DaemonSets })
        {
            foreach (var w in store.Scan(type, ns))
            {
                var template = w.Node["spec"]?["template"];
                if (!labelSelector.Matches(StoredObject.ReadMap(template?["metadata"]?["labels"])))
                {
                    continue;
                }

                var annotations = StoredObject.ReadMap(template?["metadata"]?["annotations"]);
                var ready = (long)(Num(w.Node["status"]?[type == BuiltinTypes.Deployments ? "readyReplicas" : "numberReady"]) ?? 0);
                var labels = StoredObject.ReadMap(template?["metadata"]?["labels"]);
                list.Add(new Workload(
                    w.Name, ns,
                    labels.TryGetValue("app", out var app) ? app : labels.TryGetValue("app.kubernetes.io/name", out var name) ? name : w.Name,
                    ready,
                    Number(annotations, ErrorRateAnnotation, 0, 0, 1),
                    (int)Number(annotations, ErrorCodeAnnotation, 500, 100, 599),
                    Number(annotations, LatencyAnnotation, 20, 0.01, 3_600_000),
                    Number(annotations, LatencySigmaAnnotation, 0.25, 0, 5),
                    PodNames.PodName(w.Name, template)));
            }
        }

        return list;
    }

    private static double Number(IReadOnlyDictionary<string, string> annotations, string key, double fallback, double min, double max) =>
        annotations.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? Math.Clamp(v, min, max)
            : fallback;

    private void Deliver(string service, string ns, Workload? target, double requests)
    {
        var key = $"{ns}/{service}/{target?.Name ?? "-"}";
        var owed = carry.GetValueOrDefault(key) + requests;
        var n = (long)Math.Floor(owed);
        carry[key] = owed - n;
        if (n == 0)
        {
            return;
        }

        var fqdn = $"{service}.{ns}.svc.cluster.local";
        if (target is null)
        {
            Record(service, ns, fqdn, "unknown", ns, "unknown", "503", n, 0.5, 0, null);
            return;
        }

        // Errors are spread exactly: after N requests, floor(N × rate) have failed.
        var totalKey = key + "#total";
        var before = totals.GetValueOrDefault(totalKey);
        var after = before + n;
        totals[totalKey] = after;
        var errors = (long)Math.Floor(after * target.ErrorRate) - (long)Math.Floor(before * target.ErrorRate);
        var ok = n - errors;
        if (ok > 0)
        {
            Record(service, ns, fqdn, target.Name, ns, target.App, "200", ok, target.LatencyMs, target.Sigma, target.PodName);
        }

        if (errors > 0)
        {
            Record(service, ns, fqdn, target.Name, ns, target.App, target.ErrorCode.ToString(CultureInfo.InvariantCulture), errors, target.LatencyMs, target.Sigma, target.PodName);
        }
    }

    private void Record(string service, string ns, string fqdn, string workload, string workloadNs, string app, string code, long n,
        double medianMs, double sigma, string? pod)
    {
        string[] labels = ["destination", "loadtester", ns, workload, workloadNs, fqdn, service, ns, app, "http", code];
        istioRequests.WithLabels(labels).Inc(n);
        var istio = istioDuration.WithLabels(labels);
        var http = pod is null ? null : httpDuration.WithLabels(ns, pod, "GET", "/", code);
        foreach (var (value, count) in Spread(n, medianMs, sigma, IstioBuckets))
        {
            istio.Observe(value, count);
        }

        if (http is not null)
        {
            foreach (var (value, count) in Spread(n, medianMs, sigma, HttpBuckets.Select(b => b * 1000).ToArray()))
            {
                http.Observe(value / 1000, count);
            }
        }
    }

    /// <summary>Splits n requests over bucket bounds following a log-normal latency (median, sigma) deterministically.</summary>
    private static IEnumerable<(double Value, long Count)> Spread(long n, double median, double sigma, double[] bounds)
    {
        long assigned = 0;
        foreach (var bound in bounds)
        {
            var cdf = sigma <= 0 ? (bound >= median ? 1 : 0) : NormalCdf(Math.Log(bound / median) / sigma);
            var cumulative = (long)Math.Round(n * cdf);
            if (cumulative > assigned)
            {
                yield return (Math.Min(bound, Math.Max(median, bound / 2)), cumulative - assigned);
                assigned = cumulative;
            }
        }

        if (assigned < n)
        {
            yield return (bounds[^1] * 2, n - assigned);
        }
    }

    private static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    private static double Erf(double x)
    {
        // Abramowitz and Stegun 7.1.26 (max error 1.5e-7).
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1 / (1 + 0.3275911 * x);
        var y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }

    public JsonObject Describe()
    {
        var sources = new JsonArray();
        foreach (var ((ns, service), source) in overrides)
        {
            sources.Add(new JsonObject
            {
                ["namespace"] = ns,
                ["service"] = service,
                ["rps"] = source.Rps,
                ["headers"] = string.Join(";", source.Headers.Select(h => $"{h.Name}={h.Value}:{h.Fraction.ToString(CultureInfo.InvariantCulture)}")),
            });
        }

        return new JsonObject { ["periodMs"] = period.TotalMilliseconds, ["overrides"] = sources };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "traffic tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
