// Load driver for the operator: the simulator and the operator run in this process; the simulator's request
// accounting counts what the operator asks of the API server. Usage:
//   dotnet run -c Release --project bench/Flagger.Operator.Bench -- [--idle 100] [--large 1000] [--changes 50] [--skip-large]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;
using Flagger.Runtime;
using Flagger.Simulator;
using k8s;
using k8s.Models;
using Prometheus;

var idle = Arg("--idle", 100);
var large = Arg("--large", 1000);
var changes = Arg("--changes", 50);
var skipLarge = args.Contains("--skip-large");
var ct = CancellationToken.None;
var root = FindRoot();

await using var cluster = await SimulatedCluster.StartAsync(new SimulatorOptions { EnableTraffic = false, WorkloadDelay = TimeSpan.FromMilliseconds(100) });
using var client = new Kubernetes(cluster.ClientConfiguration());
foreach (var file in Directory.GetFiles(Path.Combine(root, "deploy", "crds"), "*.yaml").Append(Path.Combine(root, "deploy", "dev", "istio-crds.yaml")))
{
    foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file)).OfType<V1CustomResourceDefinition>())
    {
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
    }
}

var canaries = new GenericClient(client, FlaggerApi.Group, FlaggerApi.Version, Canary.KubePlural, disposeClient: false);
var (app, exit) = FlaggerHost.Build([$"-kubeconfig={cluster.KubeconfigPath}", "-min-analysis-interval=1s", "-port=0", "-log-level=error", "-metrics-server=http://127.0.0.1:9"]);
if (app is null)
{
    return exit;
}

await app.StartAsync(ct);
Console.WriteLine($"operator bench: idle={idle} large={(skipLarge ? 0 : large)} changes={changes}; simulator and operator share this process");

// Phase: create the idle canaries (1s interval) and wait until all are Initialized.
await CreateAsync("idle", idle, "1s");
var sw = Stopwatch.StartNew();
await WaitAllAsync("idle", idle, "Initialized", TimeSpan.FromMinutes(3));
Console.WriteLine($"init: {idle} canaries Initialized in {sw.Elapsed.TotalSeconds:F1}s");

// (a) steady state
await Task.Delay(3000);
cluster.Requests.Reset();
const int idleIntervals = 10;
await Task.Delay(TimeSpan.FromSeconds(idleIntervals));
var steady = cluster.Requests.ToJson();
var reads = cluster.Requests.Count("get") + cluster.Requests.Count("list");
Console.WriteLine($"(a) steady state, {idle} idle canaries x {idleIntervals} intervals of 1s: API reads={reads} ({(double)reads / idle / idleIntervals:F3} per canary per interval); all requests by verb/resource: {Compact(steady)}");

// (b) one progressing canary: writes per step by resource
var one = "app-0";
await SetImageAsync("idle", one, "v2");
await WaitPhaseAsync("idle", one, "Progressing", TimeSpan.FromSeconds(30));
await WaitAsync(async () => (await GetAsync("idle", one))?.Status?.CanaryWeight >= 10, TimeSpan.FromSeconds(30));
cluster.Requests.Reset();
var before = (await GetAsync("idle", one))!.Status!.CanaryWeight;
await WaitAsync(async () => (await GetAsync("idle", one))?.Status?.CanaryWeight >= 40, TimeSpan.FromSeconds(60));
var weightSteps = 3; // 10 -> 20 -> 30 -> 40
var writes = new[] { "create", "update", "patch", "delete" }.ToDictionary(v => v, v => cluster.Requests.Count(v));
Console.WriteLine($"(b) one canary stepping weight {before}->40 ({weightSteps} steps), writes: {string.Join(", ", writes.Select(kv => $"{kv.Key}={kv.Value}"))}; by resource: {Compact(cluster.Requests.ToJson())}");
await WaitPhaseAsync("idle", one, "Succeeded", TimeSpan.FromSeconds(60));

// (c) target change -> Progressing latency
var latencies = new List<double>();
for (var i = 1; i <= Math.Min(changes, idle - 1); i++)
{
    var name = $"app-{i}";
    var start = Stopwatch.GetTimestamp();
    await SetImageAsync("idle", name, "v2");
    await WaitPhaseAsync("idle", name, "Progressing", TimeSpan.FromSeconds(30), pollMs: 10);
    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
}

latencies.Sort();
Console.WriteLine($"(c) target change -> Progressing over {latencies.Count} changes: p50={Pct(latencies, 50):F0}ms p99={Pct(latencies, 99):F0}ms max={latencies[^1]:F0}ms (10ms polling included)");
await WaitAllAsync("idle", idle, "Succeeded", TimeSpan.FromMinutes(3), allowInitialized: true);

// (e) 100 canaries progressing at once: lateness of interval steps
var latenessBefore = await LatenessAsync();
await Task.WhenAll(Enumerable.Range(0, idle).Select(i => SetImageAsync("idle", $"app-{i}", "v3")));
await WaitAllAsync("idle", idle, "Progressing", TimeSpan.FromMinutes(2), allowSucceeded: true);
await WaitAllAsync("idle", idle, "Succeeded", TimeSpan.FromMinutes(3));
var latenessAfter = await LatenessAsync();
var delta = latenessAfter.Select((b, i) => (b.Le, Count: b.Count - latenessBefore[i].Count)).ToList();
Console.WriteLine($"(e) {idle} canaries progressing at once: interval steps={delta[^1].Count}, step lateness p50<={Quantile(delta, 0.5)}s p99<={Quantile(delta, 0.99)}s (flagger_step_lateness_seconds buckets: {string.Join(" ", delta.Select(d => $"{d.Le}:{d.Count}"))})");

// (d) 1,000 idle canaries at 10s intervals: RSS and CPU over a minute
if (!skipLarge)
{
    await CreateAsync("large", large, "10s");
    sw.Restart();
    await WaitAllAsync("large", large, "Initialized", TimeSpan.FromMinutes(5));
    Console.WriteLine($"init: {large} canaries Initialized in {sw.Elapsed.TotalSeconds:F1}s");
    await canaries.DeleteNamespacedAsync<Canary>("idle", "app-0", ct); // keep the 1s canaries around: they are idle too
    await Task.Delay(5000);
    using var process = Process.GetCurrentProcess();
    GC.Collect();
    cluster.Requests.Reset();
    var cpu0 = process.TotalProcessorTime;
    var t0 = Stopwatch.GetTimestamp();
    long peak = 0;
    for (var s = 0; s < 60; s++)
    {
        await Task.Delay(1000);
        process.Refresh();
        peak = Math.Max(peak, process.WorkingSet64);
    }

    process.Refresh();
    var wall = Stopwatch.GetElapsedTime(t0).TotalSeconds;
    var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
    Console.WriteLine($"(d) {large} idle canaries at 10s (+{idle - 1} at 1s) over {wall:F0}s: RSS={process.WorkingSet64 / 1024 / 1024}MiB (peak {peak / 1024 / 1024}MiB), managed heap={GC.GetTotalMemory(false) / 1024 / 1024}MiB, CPU={cpu:F1}s ({100 * cpu / wall:F1}% of one core) for operator + simulator in one process; API requests in that minute: {Compact(cluster.Requests.ToJson())}");
}

await app.StopAsync(ct);
return 0;

async Task CreateAsync(string ns, int count, string interval)
{
    await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
    for (var i = 0; i < count; i += 20)
    {
        await Task.WhenAll(Enumerable.Range(i, Math.Min(20, count - i)).Select(async n =>
        {
            var name = $"app-{n}";
            var labels = new Dictionary<string, string> { ["app"] = name };
            await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
                Spec = new V1DeploymentSpec
                {
                    Replicas = 1,
                    Selector = new V1LabelSelector { MatchLabels = labels },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = labels },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = name, Image = "podinfo:v1", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 9898 }] }] },
                    },
                },
            }, ns);
            await canaries.CreateNamespacedAsync(new Canary
            {
                ApiVersion = $"{FlaggerApi.Group}/{FlaggerApi.Version}",
                Kind = Canary.KubeKind,
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                Spec = new CanarySpec
                {
                    TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                    ProgressDeadlineSeconds = 120,
                    Service = new CanaryService { Port = 9898 },
                    Analysis = new CanaryAnalysis { Interval = interval, Threshold = 2, MaxWeight = 50, StepWeight = 10 },
                },
            }, ns, ct);
        }));
    }
}

async Task SetImageAsync(string ns, string name, string tag)
{
    var patch = JsonSerializer.Serialize(new { spec = new { template = new { spec = new { containers = new[] { new { name, image = $"podinfo:{tag}" } } } } } });
    await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, ns);
}

async Task<Canary?> GetAsync(string ns, string name) => await canaries.ReadNamespacedAsync<Canary>(ns, name, ct);

async Task WaitPhaseAsync(string ns, string name, string phase, TimeSpan timeout, int pollMs = 50) =>
    await WaitAsync(async () => (await GetAsync(ns, name))?.Status?.Phase == phase, timeout, pollMs);

async Task WaitAllAsync(string ns, int count, string phase, TimeSpan timeout, bool allowInitialized = false, bool allowSucceeded = false)
{
    await WaitAsync(async () =>
    {
        var list = await canaries.ListNamespacedAsync<CanaryList>(ns, cancel: ct);
        return list.Items.Count(c => c.Status?.Phase == phase || (allowInitialized && c.Status?.Phase == "Initialized") || (allowSucceeded && c.Status?.Phase == "Succeeded")) >= count;
    }, timeout, 500);
}

async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, int pollMs = 50)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    while (!await condition())
    {
        if (Stopwatch.GetTimestamp() > deadline)
        {
            throw new TimeoutException($"condition not reached within {timeout}");
        }

        await Task.Delay(pollMs);
    }
}

static async Task<List<(string Le, double Count)>> LatenessAsync()
{
    using var stream = new MemoryStream();
    await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream);
    var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
    return [.. text.Split('\n').Where(l => l.StartsWith("flagger_step_lateness_seconds_bucket", StringComparison.Ordinal))
        .Select(l => (l.Split("le=\"")[1].Split('"')[0], double.Parse(l.Split(' ')[^1], CultureInfo.InvariantCulture)))];
}

static string Quantile(List<(string Le, double Count)> buckets, double q)
{
    var total = buckets[^1].Count;
    return total == 0 ? "n/a" : buckets.First(b => b.Count >= q * total).Le;
}

static double Pct(List<double> sorted, int p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

static string Compact(System.Text.Json.Nodes.JsonObject json) =>
    json.ToJsonString().Replace("\"byNamespace\"", "\"ns\"", StringComparison.Ordinal);

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Flagger.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Flagger.sln not found");
}
