using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>Builds what Flagger would have created for a canary <c>podinfo</c>: workloads, Services and a VirtualService.</summary>
public sealed class TrafficScenario(SimFixture fx, string ns)
{
    private Kubernetes Client => fx.Client;

    public async Task WorkloadAsync(string name, double errorRate, double latencyMs = 20)
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment(name, replicas: 2, templateAnnotations: new Dictionary<string, string>
        {
            ["simulator.flagger.app/error-rate"] = errorRate.ToString(CultureInfo.InvariantCulture),
            ["simulator.flagger.app/latency-ms"] = latencyMs.ToString(CultureInfo.InvariantCulture),
        }), ns);
        await ServiceAsync(name, name);
        await Expect.EventuallyAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync(name, ns), d => d.Status?.ReadyReplicas == 2);
    }

    public async Task ServiceAsync(string name, string app) =>
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = app }, Ports = [new V1ServicePort { Port = 9898, Name = "http" }] },
        }, ns);

    public async Task VirtualServiceAsync(string name, string hosts, string http)
    {
        if (fx.Cluster.Store.FindType("networking.istio.io", "v1beta1", "virtualservices") is null)
        {
            await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesJson.Deserialize<V1CustomResourceDefinition>(TrafficTests.VirtualServiceCrd().ToJsonString()));
        }

        var vs = new JsonObject
        {
            ["apiVersion"] = "networking.istio.io/v1beta1",
            ["kind"] = "VirtualService",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["hosts"] = JsonNode.Parse(hosts), ["http"] = JsonNode.Parse(http) },
        };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(vs, "networking.istio.io", "v1beta1", ns, "virtualservices");
    }

    /// <summary>Creates an Ingress from YAML (metadata.namespace is the scenario's).</summary>
    public async Task IngressAsync(string yaml) =>
        await Client.NetworkingV1.CreateNamespacedIngressAsync(KubernetesYaml.Deserialize<V1Ingress>(yaml), ns);

    /// <summary>Sends <paramref name="rps"/> to the apex Service <c>podinfo</c> for <paramref name="ticks"/> ticks of 0.5 s.</summary>
    public async Task SendAsync(double rps, int ticks, string? headers = null)
    {
        await fx.SendAsync(HttpMethod.Post, "/simulator/traffic", Expect.Json(new { @namespace = ns, service = "podinfo", rps, headers }).ToJsonString());
        for (var i = 0; i < ticks; i++)
        {
            await fx.SendAsync(HttpMethod.Post, "/simulator/traffic/tick");
        }
    }

    public async Task<List<Sample>> ScrapeAsync()
    {
        using var http = new HttpClient();
        return Scrape.Parse(await http.GetStringAsync(fx.Cluster.TelemetryUrl));
    }
}
