using Flagger.Modules.Analysis.Templates;

namespace Flagger.Modules.Analysis.Observers;

/// <summary>
/// The builtin <c>request-success-rate</c> (percent) and <c>request-duration</c> (milliseconds) queries of one mesh or
/// ingress, run on Prometheus. Queries are Go templates rendered with the metric's model, whitespace-collapsed on send.
/// </summary>
// upstream: pkg/metrics/observers/observer.go
internal interface IMetricsObserver
{
    string SuccessRateQuery { get; }

    string DurationQuery { get; }

    /// <summary>Whether upstream wraps the success-rate errors in "rendering/running query failed: " (all but the HTTP observer).</summary>
    bool WrapsSuccessRateErrors => true;

    /// <summary>The model as the queries see it (Skipper replaces non-word characters).</summary>
    MetricTemplateModel Prepare(MetricTemplateModel model) => model;

    /// <summary>The query value as whole milliseconds (upstream truncates: <c>time.Duration(int64(value)) * time.Millisecond</c>).</summary>
    long ToMilliseconds(double value) => Truncate(value);

    /// <summary>Go's <c>int64(float64)</c> for finite values; saturates instead of Go's undefined result for ±Inf.</summary>
    static long Truncate(double value) => double.IsNaN(value) ? 0
        : value >= long.MaxValue / 1_000_000 ? long.MaxValue / 1_000_000
        : value <= long.MinValue / 1_000_000 ? long.MinValue / 1_000_000
        : (long)value;
}
