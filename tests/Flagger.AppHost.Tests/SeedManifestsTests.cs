using System.Text.Json.Nodes;
using Flagger.Simulator;
using k8s;

namespace Flagger.AppHost.Tests;

public sealed class SeedManifestsTests
{
    [Fact]
    public void Upstream_in_cluster_addresses_are_rewritten_to_the_local_processes()
    {
        var yaml = "address: http://prometheus.istio-system:9090\nurl: http://flagger-loadtester.test/\n";

        var rendered = SeedManifests.Render(yaml, "http://127.0.0.1:9091/", "http://127.0.0.1:9092");

        Assert.Equal("address: http://127.0.0.1:9091\nurl: http://127.0.0.1:9092/\n", rendered);
    }

    [Fact]
    public async Task The_seed_applies_to_the_simulated_cluster_and_yields_the_sample_canary()
    {
        var ct = TestContext.Current.CancellationToken;
        var outDir = Path.Combine(Path.GetTempPath(), "apphost-seed-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = SeedManifests.RenderAll(SeedManifests.SimulatorFiles(Repo.Root), outDir, "http://127.0.0.1:9091", "http://127.0.0.1:9092");
            await using var cluster = await SimulatedCluster.StartAsync(new SimulatorOptions { EnableTraffic = false, EnableWorkloadController = false }, cancellationToken: ct);
            foreach (var file in files)
            {
                cluster.Apply(await File.ReadAllTextAsync(file, ct));
            }

            using var client = new Kubernetes(cluster.ClientConfiguration());
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("podinfo", "test", cancellationToken: ct);
            Assert.Equal("podinfo", deployment.Spec.Selector.MatchLabels["app"]);
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            Assert.Equal(("podinfod", "ghcr.io/stefanprodan/podinfo:6.0.0"), (container.Name, container.Image));
            var hpa = await client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("podinfo", "test", cancellationToken: ct);
            Assert.Equal((2, 4), (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));

            var canary = JsonNode.Parse(((System.Text.Json.JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync("flagger.app", "v1beta1", "test", "canaries", "podinfo", ct)).GetRawText())!;
            var analysis = canary["spec"]!["analysis"]!;
            Assert.Equal("10s", (string?)analysis["interval"]);
            Assert.Equal((20, 60), ((int)analysis["stepWeight"]!, (int)analysis["maxWeight"]!));
            Assert.Equal(["request-success-rate", "request-duration", "latency"], analysis["metrics"]!.AsArray().Select(m => (string?)m!["name"]));
            Assert.Equal("http://127.0.0.1:9092/", (string?)analysis["webhooks"]![0]!["url"]);

            var template = JsonNode.Parse(((System.Text.Json.JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync("flagger.app", "v1beta1", "test", "metrictemplates", "latency", ct)).GetRawText())!;
            Assert.Equal("http://127.0.0.1:9091", (string?)template["spec"]!["provider"]!["address"]);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
