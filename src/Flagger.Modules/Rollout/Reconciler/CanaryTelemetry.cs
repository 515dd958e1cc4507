using System.Diagnostics;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Telemetry;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// The rollout loop's one recorder of Flagger's series: every <c>flagger_canary_*</c> observation (and the scheduler's
/// step lateness) goes through here, so the labels of a canary are chosen in one place. Names, labels and values are
/// upstream's (<see cref="FlaggerMetrics"/>).
/// </summary>
// upstream: pkg/metrics/recorder.go, called from pkg/controller/scheduler.go
internal sealed class CanaryTelemetry(FlaggerMetrics metrics)
{
    /// <summary><c>flagger_canary_status</c> for <paramref name="phase"/>.</summary>
    public void Status(StepContext step, CanaryPhase phase) => metrics.SetStatus(Target(step), Namespace(step), phase);

    /// <summary><c>flagger_canary_weight</c> of the primary and the canary.</summary>
    public void Weight(StepContext step, int primaryWeight, int canaryWeight) =>
        metrics.SetWeight(Target(step), Namespace(step), primaryWeight, canaryWeight);

    /// <summary><c>flagger_canary_successes_total</c> or <c>flagger_canary_failures_total</c> of a finished run.</summary>
    public void RunOutcome(StepContext step, bool succeeded, string strategy, bool analysisSkipped)
    {
        if (succeeded)
        {
            metrics.IncSuccesses(Target(step), Namespace(step), strategy, analysisSkipped);
        }
        else
        {
            metrics.IncFailures(Target(step), Namespace(step), strategy, analysisSkipped);
        }
    }

    /// <summary><c>flagger_canary_metric_analysis</c> of one metric check (labelled with the canary's name, as upstream).</summary>
    public void MetricAnalysis(StepContext step, string metric, double value) =>
        metrics.SetMetricAnalysis(step.Canary.Metadata.Name, Namespace(step), metric, value);

    /// <summary><c>flagger_canary_duration_seconds</c>: the time since the step started.</summary>
    public void Duration(StepContext step) =>
        metrics.ObserveDuration(
            step.Canary.Spec.TargetRef?.Name ?? step.Canary.Metadata.Name,
            Namespace(step),
            Stopwatch.GetElapsedTime(step.StartedAt));

    /// <summary><c>flagger_canary_total</c> of one namespace.</summary>
    public void Total(string @namespace, int count) => metrics.SetTotal(@namespace, count);

    /// <summary>Removes every series of a deleted canary whose target was <paramref name="target"/>.</summary>
    public void Removed(CanaryKey key, string target) => metrics.RemoveCanary(key.Name, target, key.Namespace);

    /// <summary><c>flagger_step_lateness_seconds</c> (ours): how late an interval step started.</summary>
    public void StepLateness(TimeSpan lateness) => metrics.ObserveStepLateness(lateness);

    /// <summary><c>flagger_scheduler_resync_repairs_total</c> (ours): canaries the resync found unscheduled; should stay 0.</summary>
    public void ResyncRepairs(int count)
    {
        if (count > 0)
        {
            metrics.IncResyncRepairs(count);
        }
    }

    private static string Target(StepContext step) => step.Settings.TargetName;

    private static string Namespace(StepContext step) => step.Canary.Metadata.NamespaceProperty;
}
