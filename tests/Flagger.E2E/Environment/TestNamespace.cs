using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Flagger.E2E.Environment;

/// <summary>One scenario's namespace and the reads, writes and bounded waits the scenarios share.</summary>
public sealed class TestNamespace
{
    public const string Image0 = "ghcr.io/stefanprodan/podinfo:6.0.0";
    public const string Image1 = "ghcr.io/stefanprodan/podinfo:6.0.1";
    public const string Image2 = "ghcr.io/stefanprodan/podinfo:6.0.2";
    public const string Image3 = "ghcr.io/stefanprodan/podinfo:6.0.3";

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private TestNamespace(IClusterBackend backend, string name)
    {
        Backend = backend;
        Name = name;
    }

    public IClusterBackend Backend { get; }

    public string Name { get; }

    public k8s.Kubernetes Client => Backend.Client;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Creates the namespace with <c>kubectl create ns</c> and Istio sidecar injection on, as upstream's e2e scripts do for <c>test</c>.</summary>
    public static async Task<TestNamespace> CreateAsync(IClusterBackend backend, string name)
    {
        await backend.CreateNamespaceAsync(name, Token);
        return new TestNamespace(backend, name);
    }

    public Task ApplyAsync(string yaml) => Backend.ApplyAsync(yaml, Token);

    /// <summary>Upstream's podinfo Deployment (<c>test/workloads/deployment.yaml</c>, trimmed), optionally with pod-template annotations.</summary>
    public string Podinfo(string name = "podinfo", string image = Image0, IDictionary<string, string>? templateAnnotations = null, string extraContainerYaml = "", int progressDeadlineSeconds = 60) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
          namespace: {{Name}}
          labels:
            app: {{name}}
        spec:
          replicas: 1
          progressDeadlineSeconds: {{progressDeadlineSeconds}}
          selector:
            matchLabels:
              app: {{name}}
          template:
            metadata:
              labels:
                app: {{name}}
              annotations:
                prometheus.io/scrape: "true"
        {{string.Concat((templateAnnotations ?? new Dictionary<string, string>()).Select(a => $"        {a.Key}: \"{a.Value}\"\n"))}}    spec:
              containers:
                - name: podinfod
                  image: {{image}}
                  ports:
                    - name: http
                      containerPort: 9898
                      protocol: TCP
        {{extraContainerYaml}}
        """;

    public async Task SetImageAsync(string deployment, string image, string kind = "Deployment")
    {
        var patch = JsonSerializer.Serialize(new { spec = new { template = new { spec = new { containers = new[] { new { name = "podinfod", image } } } } } });
        if (kind == "DaemonSet")
        {
            await Client.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), deployment, Name, cancellationToken: Token);
        }
        else
        {
            await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), deployment, Name, cancellationToken: Token);
        }
    }

    /// <summary>Merges pod-template annotations (a null value removes one) and optionally sets the image in the same write.</summary>
    public async Task PatchTemplateAsync(string deployment, IDictionary<string, string?> annotations, string? image = null)
    {
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["annotations"] = JsonSerializer.SerializeToNode(annotations) },
                },
            },
        };
        if (image is not null)
        {
            patch["spec"]!["template"]!["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "podinfod", ["image"] = image }) };
        }

        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), deployment, Name, cancellationToken: Token);
    }

    public Task<V1Deployment> DeploymentAsync(string name) => Client.AppsV1.ReadNamespacedDeploymentAsync(name, Name, cancellationToken: Token);

    public async Task<string> ImageOfAsync(string deployment) => (await DeploymentAsync(deployment)).Spec.Template.Spec.Containers[0].Image;

    public async Task<Canary?> CanaryAsync(string name)
    {
        try
        {
            var node = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(FlaggerApi.Group, FlaggerApi.Version, Name, Canary.KubePlural, name, cancellationToken: Token);
            return KubernetesJson.Deserialize<Canary>(node.GetRawText());
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A custom object as JSON, or null when it does not exist.</summary>
    public async Task<JsonNode?> CustomAsync(string group, string version, string plural, string name)
    {
        try
        {
            var node = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(group, version, Name, plural, name, cancellationToken: Token);
            return JsonNode.Parse(node.GetRawText());
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<JsonNode?> VirtualServiceAsync(string name) => CustomAsync("networking.istio.io", "v1beta1", "virtualservices", name);

    public Task DeleteCanaryAsync(string name) =>
        Client.CustomObjects.DeleteNamespacedCustomObjectAsync(FlaggerApi.Group, FlaggerApi.Version, Name, Canary.KubePlural, name, cancellationToken: Token);

    /// <summary>Events of the namespace in the order they were recorded.</summary>
    public async Task<List<Corev1Event>> EventsAsync(string? involving = null)
    {
        var events = await Client.CoreV1.ListNamespacedEventAsync(Name, cancellationToken: Token);
        return [.. events.Items
            .Where(e => involving is null || e.InvolvedObject?.Name == involving)
            .OrderBy(e => e.Metadata.ResourceVersion?.PadLeft(12, '0'))];
    }

    public async Task<List<string>> EventMessagesAsync(string? involving = null) => [.. (await EventsAsync(involving)).Select(e => e.Message)];

    /// <summary>Waits (bounded) for the canary to reach <paramref name="phase"/>; fails with the phases seen and the namespace's state.</summary>
    public Task<Canary> WaitForPhaseAsync(string canary, CanaryPhase phase, int timeoutSeconds = 90) =>
        WaitForCanaryAsync(canary, c => c.Status?.Phase == phase.ToString(), $"phase {phase}", timeoutSeconds);

    /// <summary>Waits (bounded) until the canary satisfies <paramref name="condition"/>.</summary>
    public async Task<Canary> WaitForCanaryAsync(string canary, Func<Canary, bool> condition, string what, int timeoutSeconds = 90)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            var current = await CanaryAsync(canary);
            var phase = $"{current?.Status?.Phase ?? "-"}/w{current?.Status?.CanaryWeight}";
            if (seen.Count == 0 || seen[^1] != phase)
            {
                seen.Add(phase);
            }

            if (current is not null && condition(current))
            {
                return current;
            }

            await Task.Delay(200, Token);
        }

        Assert.Fail($"canary {canary}.{Name} did not reach {what} within {timeoutSeconds}s; seen: {string.Join(" → ", seen)}; {await DumpAsync(canary)}");
        return null!;
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200, Token);
        }

        Assert.Fail($"{what} did not happen within {timeoutSeconds}s in {Name}; {await DumpAsync(null)}");
    }

    /// <summary>The namespace's state for a failure message: canary status, workloads and events.</summary>
    public async Task<string> DumpAsync(string? canary)
    {
        var status = canary is null ? "" : KubernetesJson.Serialize((await CanaryAsync(canary))?.Status);
        var deployments = await Client.AppsV1.ListNamespacedDeploymentAsync(Name, cancellationToken: Token);
        var workloads = string.Join("; ", deployments.Items.Select(d =>
            $"{d.Metadata.Name} image={d.Spec.Template.Spec.Containers[0].Image} replicas={d.Spec.Replicas} ready={d.Status?.ReadyReplicas}"));
        return $"after {_clock.Elapsed.TotalSeconds:F0}s; status: {status}; workloads: {workloads}; events: {string.Join(" | ", await EventMessagesAsync())}";
    }

    /// <summary>The value of an instant PromQL query against the suite's Prometheus, or null when it has no sample.</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var json = JsonNode.Parse(await http.GetStringAsync($"{Backend.PrometheusUrl}/api/v1/query?query={Uri.EscapeDataString(promql)}", Token))!;
        var result = json["data"]?["result"]?.AsArray();
        return result is { Count: > 0 } ? double.Parse(result[0]!["value"]![1]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Prints how long the scenario took into the test output.</summary>
    public void Report(string scenario) => TestContext.Current.TestOutputHelper?.WriteLine($"{scenario}: {_clock.Elapsed.TotalSeconds:F1}s on {Backend.Name}");
}
