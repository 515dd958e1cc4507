using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

// Load driver for the simulator process: fills it with Deployments, Canaries and Services, keeps three watches open,
// then measures GET / LIST / PATCH latency, watch fan-out delay and the simulator's resident memory.
// Usage: Flagger.Simulator.Bench [deployments] [canaries] [services]   (defaults 10000 10000 30000)
var counts = args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).Concat([10_000, 10_000, 30_000]).ToArray();
var (deployments, canaries, services) = (counts[0], counts[1], counts[2]);
const int Namespaces = 10;
const int Parallelism = 8;

var dir = Directory.CreateTempSubdirectory("sim-bench-").FullName;
var exe = Path.Combine(AppContext.BaseDirectory, "flagger-simulator");
using var sim = Process.Start(new ProcessStartInfo(exe, ["--port", "0", "--kubeconfig", Path.Combine(dir, "kubeconfig")]) { RedirectStandardOutput = true })!;
try
{
    var line = await sim.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("simulator printed nothing");
    var url = line.Split(' ')[3];
    var token = File.ReadAllLines(Path.Combine(dir, "kubeconfig")).Single(l => l.Trim().StartsWith("token:", StringComparison.Ordinal)).Split(':')[1].Trim();
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    Console.WriteLine($"simulator {url} pid {sim.Id}; loading {deployments} deployments, {canaries} canaries, {services} services in {Namespaces} namespaces");

    async Task Send(HttpMethod method, string path, string? body = null, string type = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, type);
        }

        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.CopyToAsync(Stream.Null);
    }

    for (var n = 0; n < Namespaces; n++)
    {
        await Send(HttpMethod.Post, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench-@@0@@"}}""".Replace("@@0@@", (n).ToString(), StringComparison.Ordinal));
    }

    await Send(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"canaries.flagger.app"},
         "spec":{"group":"flagger.app","scope":"Namespaced","names":{"plural":"canaries","singular":"canary","kind":"Canary"},
          "versions":[{"name":"v1beta1","served":true,"storage":true,"subresources":{"status":{}},
            "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """);

    static string Deployment(int i) => """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"app-@@0@@","labels":{"app":"app-@@1@@","bench":"yes"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"app-@@2@@"}},"template":{"metadata":{"labels":{"app":"app-@@3@@"}},
         "spec":{"containers":[{"name":"app","image":"ghcr.io/stefanprodan/podinfo:6.0.0","ports":[{"containerPort":9898}],
         "env":[{"name":"A","value":"1"}],"resources":{"requests":{"cpu":"10m","memory":"32Mi"}}}]}}}}
        """.Replace("@@0@@", (i).ToString(), StringComparison.Ordinal).Replace("@@1@@", (i).ToString(), StringComparison.Ordinal).Replace("@@2@@", (i).ToString(), StringComparison.Ordinal).Replace("@@3@@", (i).ToString(), StringComparison.Ordinal);
    static string Canary(int i) => """
        {"apiVersion":"flagger.app/v1beta1","kind":"Canary","metadata":{"name":"app-@@0@@"},
         "spec":{"targetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"app-@@1@@"},"service":{"port":9898},
         "analysis":{"interval":"1m","threshold":5,"maxWeight":50,"stepWeight":10,
         "metrics":[{"name":"request-success-rate","thresholdRange":{"min":99},"interval":"1m"}]}}}
        """.Replace("@@0@@", (i).ToString(), StringComparison.Ordinal).Replace("@@1@@", (i).ToString(), StringComparison.Ordinal);
    static string Service(int i) => """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"svc-@@0@@","labels":{"app":"app-@@1@@"}},
         "spec":{"selector":{"app":"app-@@2@@"},"ports":[{"name":"http","port":9898,"targetPort":"http"}]}}
        """.Replace("@@0@@", (i).ToString(), StringComparison.Ordinal).Replace("@@1@@", (i / 3).ToString(), StringComparison.Ordinal).Replace("@@2@@", (i / 3).ToString(), StringComparison.Ordinal);

    async Task Fill(int count, Func<int, (string Path, string Body)> make)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var (path, body) = make(i);
                await Send(HttpMethod.Post, path, body);
            }
        }));
    }

    var load = Stopwatch.StartNew();
    await Fill(deployments, i => ($"/apis/apps/v1/namespaces/bench-{i % Namespaces}/deployments", Deployment(i)));
    await Fill(canaries, i => ($"/apis/flagger.app/v1beta1/namespaces/bench-{i % Namespaces}/canaries", Canary(i)));
    await Fill(services, i => ($"/api/v1/namespaces/bench-{i % Namespaces}/services", Service(i)));
    var total = deployments + canaries + services;
    Console.WriteLine($"loaded {total} objects in {load.Elapsed.TotalSeconds:F1} s ({total / load.Elapsed.TotalSeconds:F0} creates/s with {Parallelism} clients)");

    // Three watchers (deployments, canaries, services across all namespaces) from "now".
    var received = new ConcurrentDictionary<string, long>();
    using var stopWatches = new CancellationTokenSource();
    var rv = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/bench-0/configmaps"))!["metadata"]!["resourceVersion"]!.GetValue<string>();
    var watchTasks = new[] { "/apis/apps/v1/deployments", "/apis/flagger.app/v1beta1/canaries", "/api/v1/services" }.Select(path => Task.Run(async () =>
    {
        try
        {
            using var response = await http.GetAsync($"{path}?watch=1&resourceVersion={rv}", HttpCompletionOption.ResponseHeadersRead, stopWatches.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stopWatches.Token));
            while (await reader.ReadLineAsync(stopWatches.Token) is { } evt)
            {
                var node = JsonNode.Parse(evt)!;
                var meta = node["object"]!["metadata"]!;
                received[$"{path}|{meta["namespace"]}|{meta["name"]}|{meta["labels"]?["rev"]}"] = Stopwatch.GetTimestamp();
            }
        }
        catch (OperationCanceledException)
        {
            // Bench finished.
        }
    })).ToArray();
    await Task.Delay(500);

    var random = new Random(42);
    async Task<double[]> Measure(int n, int parallel, Func<int, Task> op)
    {
        var samples = new ConcurrentBag<double>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                var start = Stopwatch.GetTimestamp();
                await op(i);
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        return [.. samples.Order()];
    }

    static string P(double[] sorted) =>
        $"p50 {sorted[(int)(sorted.Length * 0.50)]:F2} ms, p99 {sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]:F2} ms (n={sorted.Length})";

    var gets = await Measure(2000, 4, _ =>
    {
        var i = random.Next(deployments);
        return Send(HttpMethod.Get, $"/apis/apps/v1/namespaces/bench-{i % Namespaces}/deployments/app-{i}");
    });
    Console.WriteLine($"GET deployment:                 {P(gets)}");
    var listNs = await Measure(100, 2, i => Send(HttpMethod.Get, $"/apis/apps/v1/namespaces/bench-{i % Namespaces}/deployments"));
    Console.WriteLine($"LIST deployments (1 namespace, {deployments / Namespaces} items): {P(listNs)}");
    var listSel = await Measure(200, 2, i => Send(HttpMethod.Get, $"/api/v1/namespaces/bench-{i % Namespaces}/services?labelSelector=app%3Dapp-{i * 3}"));
    Console.WriteLine($"LIST services by label (1 ns, {services / Namespaces} scanned): {P(listSel)}");
    var listAll = await Measure(10, 1, _ => Send(HttpMethod.Get, "/apis/apps/v1/deployments"));
    Console.WriteLine($"LIST all deployments ({deployments} items): {P(listAll)}");

    var sent = new ConcurrentDictionary<string, long>();
    var patches = await Measure(2000, 4, n =>
    {
        var i = random.Next(deployments);
        var key = $"/apis/apps/v1/deployments|bench-{i % Namespaces}|app-{i}|r{n}";
        sent[key] = Stopwatch.GetTimestamp();
        return Send(HttpMethod.Patch, $"/apis/apps/v1/namespaces/bench-{i % Namespaces}/deployments/app-{i}",
            """{"metadata":{"labels":{"rev":"r@@0@@"}}}""".Replace("@@0@@", (n).ToString(), StringComparison.Ordinal), "application/merge-patch+json");
    });
    Console.WriteLine($"PATCH deployment (merge):       {P(patches)}");
    var canaryPatches = await Measure(1000, 4, n =>
    {
        var i = random.Next(canaries);
        return Send(HttpMethod.Patch, $"/apis/flagger.app/v1beta1/namespaces/bench-{i % Namespaces}/canaries/app-{i}/status",
            """{"status":{"phase":"Progressing","canaryWeight":@@0@@}}""".Replace("@@0@@", (n % 50).ToString(), StringComparison.Ordinal), "application/merge-patch+json");
    });
    Console.WriteLine($"PATCH canary status:            {P(canaryPatches)}");

    await Task.Delay(1000);
    var delays = sent.Select(kv => received.TryGetValue(kv.Key, out var got) ? Stopwatch.GetElapsedTime(kv.Value, got).TotalMilliseconds : double.NaN)
        .Where(d => !double.IsNaN(d)).Order().ToArray();
    Console.WriteLine($"watch fan-out (PATCH sent -> event read by watcher): {P(delays)}; {sent.Count - delays.Length} of {sent.Count} events not seen");

    var status = File.ReadAllLines($"/proc/{sim.Id}/status");
    Console.WriteLine($"simulator memory: {status.Single(l => l.StartsWith("VmRSS", StringComparison.Ordinal)).Replace("\t", " ", StringComparison.Ordinal)}, peak {status.Single(l => l.StartsWith("VmHWM", StringComparison.Ordinal)).Replace("\t", " ", StringComparison.Ordinal)}");

    await stopWatches.CancelAsync();
    await Task.WhenAll(watchTasks);
}
finally
{
    using var term = Process.Start("kill", ["-TERM", sim.Id.ToString(CultureInfo.InvariantCulture)]);
    await term.WaitForExitAsync();
    if (!sim.WaitForExit(TimeSpan.FromSeconds(10)))
    {
        sim.Kill();
    }

    Directory.Delete(dir, recursive: true);
}
