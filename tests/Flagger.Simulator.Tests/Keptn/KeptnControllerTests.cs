using System.Text.Json;
using k8s;

namespace Flagger.Simulator.Tests.Keptn;

public sealed class KeptnControllerTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }

    private async Task<string> SetUpAsync()
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(RepoFile("deploy", "dev", "keptn-crds.yaml"), TestContext.Current.CancellationToken));
        return await fx.NamespaceAsync("keptn");
    }

    private static async Task<JsonElement> WaitForStatusAsync(Func<Task<object>> read)
    {
        for (var i = 0; i < 100; i++)
        {
            var obj = JsonSerializer.SerializeToElement(await read());
            if (obj.TryGetProperty("status", out var status) && status.TryGetProperty("state", out _))
            {
                return status;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("the Analysis was not completed");
    }

    [Fact]
    public async Task Analyses_complete_with_the_verdict_the_test_sets()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Keptn.Verdict = r => r.Args.GetValueOrDefault("workload") != "bad";
        object Analysis(string name, string workload) => new Dictionary<string, object>
        {
            ["apiVersion"] = "metrics.keptn.sh/v1beta1",
            ["kind"] = "Analysis",
            ["metadata"] = new Dictionary<string, object> { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new Dictionary<string, object>
            {
                ["analysisDefinition"] = new Dictionary<string, string> { ["name"] = "slo" },
                ["timeframe"] = new Dictionary<string, string> { ["recent"] = "5m" },
                ["args"] = new Dictionary<string, string> { ["workload"] = workload },
            },
        };

        await fx.Client.CustomObjects.CreateNamespacedCustomObjectAsync(Analysis("good-1", "podinfo"), "metrics.keptn.sh", "v1beta1", ns, "analyses");
        await fx.Client.CustomObjects.CreateNamespacedCustomObjectAsync(Analysis("bad-1", "bad"), "metrics.keptn.sh", "v1beta1", ns, "analyses");

        var good = await WaitForStatusAsync(() => fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("metrics.keptn.sh", "v1beta1", ns, "analyses", "good-1"));
        var bad = await WaitForStatusAsync(() => fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("metrics.keptn.sh", "v1beta1", ns, "analyses", "bad-1"));
        Assert.Equal(("Completed", true), (good.GetProperty("state").GetString(), good.GetProperty("pass").GetBoolean()));
        Assert.Equal(("Completed", false), (bad.GetProperty("state").GetString(), bad.GetProperty("pass").GetBoolean()));
    }

    [Fact]
    public async Task A_keptn_metric_value_is_written_to_its_status()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Apply($$"""
            apiVersion: metrics.keptn.sh/v1beta1
            kind: KeptnMetric
            metadata:
              name: podinfo-error-rate
              namespace: {{ns}}
            spec:
              provider:
                name: prometheus
              query: sum(rate(http_requests_total{status=~"5.."}[1m]))
              fetchIntervalSeconds: 10
            """);
        fx.Cluster.Keptn.SetMetricValue(ns, "podinfo-error-rate", 0.25);

        var metric = JsonSerializer.SerializeToElement(
            await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("metrics.keptn.sh", "v1beta1", ns, "keptnmetrics", "podinfo-error-rate"));
        Assert.Equal("0.25", metric.GetProperty("status").GetProperty("value").GetString());
    }
}
