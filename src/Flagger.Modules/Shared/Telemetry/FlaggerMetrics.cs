using Flagger.Modules.Shared.Crd;
using Prometheus;

namespace Flagger.Modules.Shared.Telemetry;

/// <summary>
/// Flagger's own Prometheus series, with upstream's names, labels and meaning so that existing dashboards and alert
/// rules keep working. Unlike upstream, the series of a deleted canary are removed (<see cref="RemoveCanary"/>).
/// </summary>
// upstream: pkg/metrics/recorder.go
public sealed class FlaggerMetrics
{
    private readonly Gauge _info;
    private readonly Gauge _total;
    private readonly Gauge _status;
    private readonly Gauge _weight;
    private readonly Histogram _duration;
    private readonly Gauge _metricAnalysis;
    private readonly Counter _successes;
    private readonly Counter _failures;
    private readonly Histogram _stepLateness;
    private readonly Counter _resyncRepairs;

    /// <summary>Creates the instruments in <paramref name="registry"/> (the default registry when null).</summary>
    public FlaggerMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _info = factory.CreateGauge("flagger_info", "Flagger version and mesh provider information", "version", "mesh_provider");
        _total = factory.CreateGauge("flagger_canary_total", "Total number of canary object", "namespace");
        _status = factory.CreateGauge("flagger_canary_status", "Last canary analysis result", "name", "namespace");
        _weight = factory.CreateGauge("flagger_canary_weight", "The virtual service destination weight current value", "workload", "namespace");
        _duration = factory.CreateHistogram("flagger_canary_duration_seconds", "Seconds spent performing canary analysis.", "name", "namespace");
        _metricAnalysis = factory.CreateGauge("flagger_canary_metric_analysis", "Last canary analysis result per metric", "name", "namespace", "metric");
        _successes = factory.CreateCounter("flagger_canary_successes_total", "Total number of canary successes", "name", "namespace", "deployment_strategy", "analysis_status");
        _failures = factory.CreateCounter("flagger_canary_failures_total", "Total number of canary failures", "name", "namespace", "deployment_strategy", "analysis_status");
        // Ours, not upstream's: how late interval steps start compared to their due time (scheduler health).
        _stepLateness = factory.CreateHistogram("flagger_step_lateness_seconds", "Seconds an interval step of a canary started after its due time (Flagger for .NET; not an upstream series).",
            new HistogramConfiguration { Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        // Ours: canaries the periodic resync found unscheduled (neither queued nor running); always 0 unless a bug.
        _resyncRepairs = factory.CreateCounter("flagger_scheduler_resync_repairs_total", "Canaries the periodic resync found neither queued nor running and scheduled again (Flagger for .NET; not an upstream series; should stay 0).");
    }

    public void SetInfo(string version, string meshProvider) => _info.WithLabels(version, meshProvider).Set(1);

    public void SetTotal(string @namespace, int count) => _total.WithLabels(@namespace).Set(count);

    /// <summary>0 while progressing, 2 after a failure, 1 otherwise, as upstream.</summary>
    public void SetStatus(string target, string @namespace, CanaryPhase phase) =>
        _status.WithLabels(target, @namespace).Set(phase switch
        {
            CanaryPhase.Progressing => 0,
            CanaryPhase.Failed => 2,
            _ => 1,
        });

    public void SetWeight(string target, string @namespace, int primaryWeight, int canaryWeight)
    {
        _weight.WithLabels($"{target}-primary", @namespace).Set(primaryWeight);
        _weight.WithLabels(target, @namespace).Set(canaryWeight);
    }

    public void ObserveDuration(string target, string @namespace, TimeSpan elapsed) =>
        _duration.WithLabels(target, @namespace).Observe(elapsed.TotalSeconds);

    public void SetMetricAnalysis(string canary, string @namespace, string metric, double value) =>
        _metricAnalysis.WithLabels(canary, @namespace, metric).Set(value);

    public void IncSuccesses(string target, string @namespace, string strategy, bool analysisSkipped) =>
        _successes.WithLabels(target, @namespace, strategy, analysisSkipped ? "skipped" : "completed").Inc();

    public void IncFailures(string target, string @namespace, string strategy, bool analysisSkipped) =>
        _failures.WithLabels(target, @namespace, strategy, analysisSkipped ? "skipped" : "completed").Inc();

    /// <summary>Records how late an interval step started compared to its due time (<c>flagger_step_lateness_seconds</c>, ours).</summary>
    public void ObserveStepLateness(TimeSpan lateness) => _stepLateness.Observe(Math.Max(0, lateness.TotalSeconds));

    /// <summary>Counts canaries the resync had to schedule again (<c>flagger_scheduler_resync_repairs_total</c>, ours).</summary>
    public void IncResyncRepairs(int count) => _resyncRepairs.Inc(count);

    /// <summary>Removes every series of one canary, so dashboards do not show deleted canaries forever.</summary>
    public void RemoveCanary(string canary, string target, string @namespace)
    {
        _status.RemoveLabelled(target, @namespace);
        _weight.RemoveLabelled($"{target}-primary", @namespace);
        _weight.RemoveLabelled(target, @namespace);
        _duration.RemoveLabelled(target, @namespace);
        foreach (var labels in _metricAnalysis.GetAllLabelValues().Where(l => l[0] == canary && l[1] == @namespace).ToList())
        {
            _metricAnalysis.RemoveLabelled(labels);
        }

        foreach (var counter in new[] { _successes, _failures })
        {
            foreach (var labels in counter.GetAllLabelValues().Where(l => l[0] == target && l[1] == @namespace).ToList())
            {
                counter.RemoveLabelled(labels);
            }
        }
    }
}
