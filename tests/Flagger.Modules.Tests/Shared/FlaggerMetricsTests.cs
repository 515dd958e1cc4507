using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Telemetry;
using Prometheus;

namespace Flagger.Modules.Tests.Shared;

public sealed class FlaggerMetricsTests
{
    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Series_use_upstream_names_and_labels()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new FlaggerMetrics(registry);

        metrics.SetInfo("1.44.0", "istio");
        metrics.SetStatus("podinfo", "test", CanaryPhase.Progressing);
        metrics.SetWeight("podinfo", "test", 90, 10);
        metrics.IncSuccesses("podinfo", "test", "canary", analysisSkipped: false);

        var text = await ScrapeAsync(registry);
        Assert.Contains("flagger_info{version=\"1.44.0\",mesh_provider=\"istio\"} 1", text);
        Assert.Contains("flagger_canary_status{name=\"podinfo\",namespace=\"test\"} 0", text);
        Assert.Contains("flagger_canary_weight{workload=\"podinfo-primary\",namespace=\"test\"} 90", text);
        Assert.Contains("flagger_canary_weight{workload=\"podinfo\",namespace=\"test\"} 10", text);
        Assert.Contains("flagger_canary_successes_total{name=\"podinfo\",namespace=\"test\",deployment_strategy=\"canary\",analysis_status=\"completed\"} 1", text);
    }

    [Theory]
    [InlineData(CanaryPhase.Progressing, 0)]
    [InlineData(CanaryPhase.Failed, 2)]
    [InlineData(CanaryPhase.Succeeded, 1)]
    [InlineData(CanaryPhase.Initialized, 1)]
    public async Task Status_gauge_maps_phases_as_upstream(CanaryPhase phase, int expected)
    {
        var registry = Metrics.NewCustomRegistry();
        new FlaggerMetrics(registry).SetStatus("podinfo", "test", phase);

        Assert.Contains($"flagger_canary_status{{name=\"podinfo\",namespace=\"test\"}} {expected}", await ScrapeAsync(registry));
    }

    [Fact]
    public async Task RemoveCanary_drops_every_series_of_that_canary_only()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new FlaggerMetrics(registry);
        metrics.SetStatus("podinfo", "test", CanaryPhase.Succeeded);
        metrics.SetWeight("podinfo", "test", 100, 0);
        metrics.SetMetricAnalysis("podinfo", "test", "request-success-rate", 99.5);
        metrics.IncFailures("podinfo", "test", "canary", analysisSkipped: false);
        metrics.SetStatus("other", "test", CanaryPhase.Succeeded);

        metrics.RemoveCanary("podinfo", "podinfo", "test");

        var text = await ScrapeAsync(registry);
        Assert.DoesNotContain("\"podinfo", text);
        Assert.Contains("flagger_canary_status{name=\"other\",namespace=\"test\"} 1", text);
    }
}
