using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Analysis.Templates;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis;

/// <summary>
/// Upstream's threshold rules and halt texts. Bounds are inclusive (equal passes). Without <c>thresholdRange</c> the
/// legacy <c>threshold</c> is a minimum for the success rate and a maximum for everything else (omitted = 0, so any
/// positive custom value fails: quirk §12.9, kept).
/// </summary>
// upstream: pkg/controller/scheduler_metrics.go
internal static class ThresholdJudge
{
    /// <summary>The halt text, or null when the success rate passes.</summary>
    public static string? SuccessRate(Canary canary, double value, MetricThresholds t)
    {
        var who = Who(canary);
        var v = GoFormat.Fixed(value, 2);
        if (t.Min is not null || t.Max is not null)
        {
            if (t.Min is { } min && value < min)
            {
                return $"Halt {who} advancement success rate {v}% < {GoFormat.Float(min)}%";
            }

            if (t.Max is { } max && value > max)
            {
                return $"Halt {who} advancement success rate {v}% > {GoFormat.Float(max)}%";
            }

            return null;
        }

        var threshold = t.Threshold ?? 0;
        return threshold > value ? $"Halt {who} advancement success rate {v}% < {GoFormat.Float(threshold)}%" : null;
    }

    /// <summary>The halt text, or null when the request duration (whole milliseconds) passes; compared as Go durations.</summary>
    public static string? RequestDuration(Canary canary, long milliseconds, MetricThresholds t)
    {
        var who = Who(canary);
        var v = GoFormat.Milliseconds(milliseconds);
        if (t.Min is not null || t.Max is not null)
        {
            if (t.Min is { } min && milliseconds < Ms(min))
            {
                return $"Halt {who} advancement request duration {v} < {GoFormat.Milliseconds(Ms(min))}";
            }

            if (t.Max is { } max && milliseconds > Ms(max))
            {
                return $"Halt {who} advancement request duration {v} > {GoFormat.Milliseconds(Ms(max))}";
            }

            return null;
        }

        var threshold = Ms(t.Threshold ?? 0);
        return milliseconds > threshold ? $"Halt {who} advancement request duration {v} > {GoFormat.Milliseconds(threshold)}" : null;
    }

    /// <summary>The halt text, or null when an inline-query or template value passes.</summary>
    public static string? Custom(Canary canary, string metric, double value, MetricThresholds t)
    {
        var who = Who(canary);
        var v = GoFormat.Fixed(value, 2);
        if (t.Min is not null || t.Max is not null)
        {
            if (t.Min is { } min && value < min)
            {
                return $"Halt {who} advancement {metric} {v} < {GoFormat.Float(min)}";
            }

            if (t.Max is { } max && value > max)
            {
                return $"Halt {who} advancement {metric} {v} > {GoFormat.Float(max)}";
            }

            return null;
        }

        var threshold = t.Threshold ?? 0;
        return value > threshold ? $"Halt {who} advancement {metric} {v} > {GoFormat.Float(threshold)}" : null;
    }

    private static string Who(Canary canary) => $"{canary.Metadata.Name}.{canary.Metadata.NamespaceProperty}";

    /// <summary>Go's <c>time.Duration(f)</c>: the float threshold truncated to whole milliseconds.</summary>
    private static long Ms(double value) => Observers.IMetricsObserver.Truncate(value);
}
