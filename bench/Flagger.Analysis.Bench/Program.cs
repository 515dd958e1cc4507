// Measures one analysis step through the public contract (ICanaryAnalyzer) against a loopback Prometheus stub:
// step latency percentiles and steps per second, for a canary with the two builtin metrics, an inline query and two
// MetricTemplates (Go-template rendering, secret lookup, provider construction, HTTP, judging).
// Usage: dotnet run -c Release --project bench/Flagger.Analysis.Bench [steps] [concurrency]
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Flagger.Modules.Analysis;
using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Shared;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var concurrency = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8;

using var stop = new CancellationTokenSource();
var port = FreePort();
using var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{port}/");
listener.Start();
var body = Encoding.UTF8.GetBytes("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1700000000,\"99.5\"]}]}}");
var server = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        HttpListenerContext ctx;
        try
        {
            ctx = await listener.GetContextAsync();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
            return;
        }

        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength64 = body.Length;
        await ctx.Response.OutputStream.WriteAsync(body);
        ctx.Response.Close();
    }
});

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flagger:MetricsServer"] = $"http://127.0.0.1:{port}" });
var cache = new Cache();
cache.Add(new MetricTemplate
{
    Metadata = new V1ObjectMeta { Name = "latency", NamespaceProperty = "istio-system" },
    Spec = new MetricTemplateSpec
    {
        Provider = new MetricTemplateProvider { Type = "prometheus", Address = $"http://127.0.0.1:{port}", SecretRef = new LocalSecretReference { Name = "prom" } },
        Query = "histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter=\"{{ variables.reporter }}\",destination_workload_namespace=\"{{ namespace }}\",destination_workload=~\"{{ target }}\"}[{{ interval }}])) by (le))",
    },
});
cache.Add(new V1Secret { Metadata = new V1ObjectMeta { Name = "prom", NamespaceProperty = "istio-system" }, Data = new Dictionary<string, byte[]> { ["token"] = "t"u8.ToArray() } });
builder.Services.AddSingleton<IKubeCache>(cache);
builder.AddSharedModule();
builder.AddAnalysisModule();
using var host = builder.Build();
var analyzer = host.Services.GetRequiredService<ICanaryAnalyzer>();

var canary = new Canary
{
    Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
    Spec = new CanarySpec
    {
        TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
        Analysis = new CanaryAnalysis
        {
            Metrics =
            [
                new CanaryMetric { Name = "request-success-rate", ThresholdRange = new CanaryThresholdRange { Min = 99 } },
                new CanaryMetric { Name = "request-duration", ThresholdRange = new CanaryThresholdRange { Max = 500 } },
                new CanaryMetric { Name = "inline", Query = "sum(rate(x{ns=\"{{ namespace }}\"}[{{ interval }}]))", Threshold = 100 },
                new CanaryMetric { Name = "latency", TemplateRef = new CrossNamespaceObjectReference { Name = "latency", Namespace = "istio-system" }, ThresholdRange = new CanaryThresholdRange { Max = 500 }, TemplateVariables = new Dictionary<string, string> { ["reporter"] = "destination" } },
                new CanaryMetric { Name = "latency-2", TemplateRef = new CrossNamespaceObjectReference { Name = "latency", Namespace = "istio-system" }, ThresholdRange = new CanaryThresholdRange { Max = 500 }, TemplateVariables = new Dictionary<string, string> { ["reporter"] = "source" } },
            ],
        },
    },
};

// warm-up
for (var i = 0; i < 200; i++)
{
    var warm = await analyzer.AnalyzeAsync(canary, CancellationToken.None);
    if (!warm.Passed)
    {
        throw new InvalidOperationException(string.Join("; ", warm.Metrics.Select(m => m.Message)));
    }
}

var latencies = new double[steps];
var next = -1;
var total = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < steps)
    {
        var sw = Stopwatch.StartNew();
        await analyzer.AnalyzeAsync(canary, CancellationToken.None);
        latencies[i] = sw.Elapsed.TotalMilliseconds;
    }
})));
total.Stop();
Array.Sort(latencies);
Console.WriteLine($"steps={steps} concurrency={concurrency} metrics/step={canary.Spec.Analysis.Metrics.Count}");
Console.WriteLine($"throughput={steps / total.Elapsed.TotalSeconds:F0} steps/s ({steps * canary.Spec.Analysis.Metrics.Count / total.Elapsed.TotalSeconds:F0} checks/s)");
Console.WriteLine($"step latency ms: p50={latencies[steps / 2]:F2} p90={latencies[steps * 9 / 10]:F2} p99={latencies[steps * 99 / 100]:F2} max={latencies[^1]:F2}");
Console.WriteLine($"allocated={GC.GetTotalAllocatedBytes() / 1024 / 1024} MiB gen0={GC.CollectionCount(0)} gen2={GC.CollectionCount(2)}");

await stop.CancelAsync();
listener.Stop();
await server;

static int FreePort()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    var p = ((IPEndPoint)probe.LocalEndpoint).Port;
    probe.Stop();
    return p;
}

/// <summary>A fixed in-memory cache for the bench.</summary>
internal sealed class Cache : IKubeCache
{
    private readonly Dictionary<(Type, string, string), object> _objects = [];

    // A fixed cache never changes.
    public event Action<ObjectChange>? Changed { add { } remove { } }

    public void Add<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta> =>
        _objects[(typeof(T), obj.Metadata.NamespaceProperty, obj.Metadata.Name)] = obj;

    public T? Get<T>(string @namespace, string name) where T : class, IKubernetesObject<V1ObjectMeta> =>
        _objects.TryGetValue((typeof(T), @namespace, name), out var o) ? (T)o : null;

    public IReadOnlyList<T> List<T>(string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        _objects.Values.OfType<T>().Where(o => @namespace is null || o.Metadata.NamespaceProperty == @namespace).ToList();
}
