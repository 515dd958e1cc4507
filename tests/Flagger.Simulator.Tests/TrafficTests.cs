using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests;

/// <summary>Workload controller on, traffic ticks driven by the tests, telemetry endpoint on.</summary>
public sealed class TrafficFixture : SimFixture
{
    protected override SimulatorOptions Options => base.Options with { EnableWorkloadController = true, TelemetryPort = 0 };
}

public sealed class TrafficTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    private readonly Kubernetes client = fx.Client;

    public static JsonObject VirtualServiceCrd() => JsonNode.Parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"virtualservices.networking.istio.io"},
         "spec":{"group":"networking.istio.io","scope":"Namespaced","names":{"plural":"virtualservices","singular":"virtualservice","kind":"VirtualService","shortNames":["vs"]},
          "versions":[{"name":"v1beta1","served":true,"storage":true,"subresources":{"status":{}},
            "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """)!.AsObject();

    private async Task InstallIstioAsync()
    {
        if (fx.Cluster.Store.FindType("networking.istio.io", "v1beta1", "virtualservices") is null)
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesJson.Deserialize<V1CustomResourceDefinition>(VirtualServiceCrd().ToJsonString()));
        }
    }

    private async Task WorkloadAsync(string ns, string name, double errorRate, double latencyMs = 20)
    {
        await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment(name, replicas: 2, templateAnnotations: new Dictionary<string, string>
        {
            ["simulator.flagger.app/error-rate"] = errorRate.ToString(CultureInfo.InvariantCulture),
            ["simulator.flagger.app/latency-ms"] = latencyMs.ToString(CultureInfo.InvariantCulture),
        }), ns);
        await ServiceAsync(ns, name, name);
        await Expect.EventuallyAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns), d => d.Status?.ReadyReplicas == 2);
    }

    private async Task ServiceAsync(string ns, string name, string app, IDictionary<string, string>? annotations = null) =>
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = app }, Ports = [new V1ServicePort { Port = 9898, Name = "http" }] },
        }, ns);

    private async Task VirtualServiceAsync(string ns, string http)
    {
        var vs = JsonNode.Parse("""
            {"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService","metadata":{"name":"podinfo"},"spec":{"hosts":["podinfo"]}}
            """)!;
        vs["spec"]!["http"] = JsonNode.Parse(http);
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(vs, "networking.istio.io", "v1beta1", ns, "virtualservices");
    }

    private async Task<Dictionary<string, double>> RequestsAsync(string ns)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(fx.Cluster.TelemetryUrl);
        var result = new Dictionary<string, double>();
        foreach (Match m in Regex.Matches(text, "^istio_requests_total\\{([^}]*)\\} ([0-9.e+]+)$", RegexOptions.Multiline))
        {
            var labels = m.Groups[1].Value;
            if (!labels.Contains($"destination_workload_namespace=\"{ns}\"", StringComparison.Ordinal))
            {
                continue;
            }

            var workload = Regex.Match(labels, "destination_workload=\"([^\"]*)\"").Groups[1].Value;
            var code = Regex.Match(labels, "response_code=\"([^\"]*)\"").Groups[1].Value;
            var key = $"{workload}/{code}";
            result[key] = result.GetValueOrDefault(key) + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return result;
    }

    private async Task SourceAsync(string ns, double rps, string? headers = null) =>
        await fx.SendAsync(HttpMethod.Post, "/simulator/traffic", Expect.Json(new { @namespace = ns, service = "podinfo", rps, headers }).ToJsonString());

    private async Task TickAsync(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            await fx.SendAsync(HttpMethod.Post, "/simulator/traffic/tick");
        }
    }

    [Fact]
    public async Task VirtualService_weights_split_requests_and_each_workload_answers_with_its_error_rate()
    {
        await InstallIstioAsync();
        var ns = await fx.NamespaceAsync("tr");
        await WorkloadAsync(ns, "podinfo-primary", 0);
        await WorkloadAsync(ns, "podinfo-canary", 0.1);
        await ServiceAsync(ns, "podinfo", "podinfo-primary");
        await VirtualServiceAsync(ns, """[{"route":[{"destination":{"host":"podinfo-primary"},"weight":80},{"destination":{"host":"podinfo-canary"},"weight":20}]}]""");
        await SourceAsync(ns, 200);
        await TickAsync(10);

        // 10 ticks × 0.5 s × 200 rps = 1000 requests: 800 to the primary, 200 to the canary of which 10% fail.
        var counts = await RequestsAsync(ns);
        Assert.Equal(800, counts["podinfo-primary/200"]);
        Assert.Equal(180, counts["podinfo-canary/200"]);
        Assert.Equal(20, counts["podinfo-canary/500"]);
        Assert.False(counts.ContainsKey("podinfo-primary/500"));
    }

    [Fact]
    public async Task Header_matches_route_only_the_matching_share_and_mirrors_copy_traffic()
    {
        await InstallIstioAsync();
        var ns = await fx.NamespaceAsync("tr");
        await WorkloadAsync(ns, "podinfo-primary", 0);
        await WorkloadAsync(ns, "podinfo-canary", 0);
        await ServiceAsync(ns, "podinfo", "podinfo-primary");
        await VirtualServiceAsync(ns, """
            [{"match":[{"headers":{"x-canary":{"exact":"insider"}}}],"route":[{"destination":{"host":"podinfo-canary"}}]},
             {"route":[{"destination":{"host":"podinfo-primary"},"weight":100}],"mirror":{"host":"podinfo-canary"},"mirrorPercentage":{"value":50}}]
            """);
        await SourceAsync(ns, 100, "x-canary=insider:0.1");
        await TickAsync(20);

        // 1000 requests: 100 carry the header (to the canary); 900 to the primary, half of those mirrored to the canary.
        var counts = await RequestsAsync(ns);
        Assert.Equal(900, counts["podinfo-primary/200"]);
        Assert.Equal(100 + 450, counts["podinfo-canary/200"]);
    }

    [Fact]
    public async Task The_only_destination_of_a_route_gets_all_its_traffic_even_with_weight_zero_as_in_flaggers_ab_routes()
    {
        await InstallIstioAsync();
        var ns = await fx.NamespaceAsync("tr");
        await WorkloadAsync(ns, "podinfo-primary", 0);
        await WorkloadAsync(ns, "podinfo-canary", 0);
        await ServiceAsync(ns, "podinfo", "podinfo-primary");
        await VirtualServiceAsync(ns, """
            [{"match":[{"headers":{"cookie":{"regex":"^(.*?;)?(type=insider)(;.*)?$"}}}],"route":[{"destination":{"host":"podinfo-primary"},"weight":0},{"destination":{"host":"podinfo-canary"},"weight":100}]},
             {"route":[{"destination":{"host":"podinfo-primary"},"weight":0}]}]
            """);
        await SourceAsync(ns, 100, "cookie=type=insider:0.2");
        await TickAsync(20);

        // 1000 requests: the 200 with the cookie go to the canary, the other 800 to the primary.
        var counts = await RequestsAsync(ns);
        Assert.Equal(800, counts["podinfo-primary/200"]);
        Assert.Equal(200, counts["podinfo-canary/200"]);
    }

    [Fact]
    public async Task Without_a_VirtualService_the_Service_selector_decides_and_error_rates_follow_the_template()
    {
        var ns = await fx.NamespaceAsync("tr");
        await WorkloadAsync(ns, "podinfo-primary", 0);
        await WorkloadAsync(ns, "podinfo-canary", 0.5);
        await ServiceAsync(ns, "podinfo", "podinfo-primary", new Dictionary<string, string> { ["simulator.flagger.app/rps"] = "100" });
        await TickAsync(2);
        var counts = await RequestsAsync(ns);
        Assert.Equal(100, counts["podinfo-primary/200"]);
        Assert.False(counts.ContainsKey("podinfo-canary/200"));

        // Blue/green switch: the apex selects the canary.
        await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("{\"spec\":{\"selector\":{\"app\":\"podinfo-canary\"}}}", V1Patch.PatchType.MergePatch), "podinfo", ns);
        await TickAsync(2);
        counts = await RequestsAsync(ns);
        Assert.Equal(50, counts["podinfo-canary/200"]);
        Assert.Equal(50, counts["podinfo-canary/500"]);

        // Promotion copies the canary template (with its annotations) into the primary: the error rate follows it.
        var canary = await client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-canary", ns);
        var annotations = canary.Spec.Template.Metadata.Annotations;
        var patch = new V1Patch(Expect.Json(new { spec = new { template = new { metadata = new { annotations } } } }).ToJsonString(), V1Patch.PatchType.StrategicMergePatch);
        await client.AppsV1.PatchNamespacedDeploymentAsync(patch, "podinfo-primary", ns);
        await Expect.EventuallyAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", ns), d => d.Status?.ObservedGeneration == 2);
        await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("{\"spec\":{\"selector\":{\"app\":\"podinfo-primary\"}}}", V1Patch.PatchType.MergePatch), "podinfo", ns);
        await TickAsync(2);
        counts = await RequestsAsync(ns);
        Assert.Equal(50, counts["podinfo-primary/500"]);
    }

    [Fact]
    public async Task A_destination_without_ready_pods_answers_503_and_pod_level_series_are_exported()
    {
        var ns = await fx.NamespaceAsync("tr");
        await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("podinfo", replicas: 1, templateAnnotations: new Dictionary<string, string> { ["simulator.flagger.app/fail-ready"] = "true" }), ns);
        await ServiceAsync(ns, "podinfo", "podinfo");
        await SourceAsync(ns, 20);
        await TickAsync(1);
        var counts = await RequestsAsync(ns);
        Assert.Equal(10, counts["unknown/503"]);

        var ns2 = await fx.NamespaceAsync("tr");
        await WorkloadAsync(ns2, "podinfo", 0, latencyMs: 30);
        await fx.SendAsync(HttpMethod.Post, "/simulator/traffic", Expect.Json(new { @namespace = ns2, service = "podinfo", rps = 100 }).ToJsonString());
        await TickAsync(2);
        using var http = new HttpClient();
        var text = await http.GetStringAsync(fx.Cluster.TelemetryUrl);
        var count = Regex.Match(text, $"^http_request_duration_seconds_count\\{{kubernetes_namespace=\"{ns2}\",kubernetes_pod_name=\"(podinfo-[0-9a-z]+-[0-9a-z]+)\",method=\"GET\",path=\"/\",status=\"200\"\\}} (\\d+)$", RegexOptions.Multiline);
        Assert.True(count.Success, "http_request_duration_seconds_count for the pod is missing");
        Assert.Equal("100", count.Groups[2].Value);
        Assert.Matches("^podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)$", count.Groups[1].Value);
        var bucket = Regex.Match(text, $"^istio_request_duration_milliseconds_bucket\\{{[^}}]*destination_workload=\"podinfo\",destination_workload_namespace=\"{ns2}\"[^}}]*le=\"50\"\\}} (\\d+)$", RegexOptions.Multiline);
        Assert.True(bucket.Success, "istio_request_duration_milliseconds_bucket le=50 is missing");
        Assert.InRange(int.Parse(bucket.Groups[1].Value, CultureInfo.InvariantCulture), 90, 100);
        Assert.Matches("(?m)^simulator_api_requests_total\\{verb=\"create\",resource=\"deployments\",code=\"201\"\\} [1-9]", text);
    }
}
