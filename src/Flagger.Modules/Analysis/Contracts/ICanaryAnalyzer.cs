using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Contracts;

/// <summary>
/// Judges one analysis step of a canary by its metrics. The rollout calls <see cref="AnalyzeAsync"/> once per step and
/// turns the results into Kubernetes events (<see cref="MetricCheckResult.EventMessage"/>), alerts and the
/// <c>flagger_canary_metric_analysis</c> gauge (<see cref="MetricCheckResult.AnalysisValue"/>). Nothing here writes to
/// the cluster or records events: results are data.
/// </summary>
/// <example>
/// <code>
/// var result = await analyzer.AnalyzeAsync(canary, ct);
/// foreach (var m in result.Metrics.Where(m => m.AnalysisValue is not null))
///     metrics.SetMetricAnalysis(canary.Metadata.Name, canary.Metadata.NamespaceProperty, m.Name, m.AnalysisValue!.Value);
/// if (result.FirstFailure is { } failure)
///     await events.RecordAsync(canary, "Warning", "Synced", failure.EventMessage!, ct); // and failedChecks + 1
/// </code>
/// </example>
public interface ICanaryAnalyzer
{
    /// <summary>
    /// Runs every entry of <c>spec.analysis.metrics</c> concurrently (each with its own timeout) and returns one result
    /// per entry, in the order of <c>analysis.metrics</c>. Never throws for metric failures; only cancellation escapes.
    /// </summary>
    Task<CanaryAnalysisResult> AnalyzeAsync(Canary canary, CancellationToken cancellationToken);

    /// <summary>
    /// Upstream's <c>checkMetricProviderAvailability</c> (run while the phase is empty or <c>Initializing</c>): the
    /// metrics server answers <c>vector(1)</c> for builtin metrics and each template's provider is online.
    /// </summary>
    Task<MetricProvidersAvailability> CheckProvidersAsync(Canary canary, CancellationToken cancellationToken);
}

/// <summary>The metric results of one step, in the order of <c>analysis.metrics</c>.</summary>
public sealed record CanaryAnalysisResult(IReadOnlyList<MetricCheckResult> Metrics)
{
    /// <summary>True when every check passed (also when the canary has no metrics).</summary>
    public bool Passed => Metrics.All(m => m.Outcome == MetricCheckOutcome.Passed);

    /// <summary>The first check (in <c>analysis.metrics</c> order) that did not pass: upstream stops the tick there, with its event.</summary>
    public MetricCheckResult? FirstFailure => Metrics.FirstOrDefault(m => m.Outcome != MetricCheckOutcome.Passed);
}

/// <summary>How a metric entry is evaluated.</summary>
public enum MetricCheckKind
{
    /// <summary><c>request-success-rate</c> or <c>request-duration</c>, through the mesh's observer on Prometheus.</summary>
    Builtin,

    /// <summary>Deprecated inline <c>query</c>, run on the canary's (or the global) metrics server.</summary>
    InlineQuery,

    /// <summary><c>templateRef</c> to a MetricTemplate.</summary>
    Template,

    /// <summary>None of the above: upstream's "no usable metrics template and query were configured".</summary>
    Unusable,
}

/// <summary>The outcome of one metric check.</summary>
public enum MetricCheckOutcome
{
    /// <summary>Value within the thresholds.</summary>
    Passed,

    /// <summary>Value outside the thresholds (Warning event).</summary>
    Failed,

    /// <summary>The query returned no value (Warning event; counts as a failed check, as upstream).</summary>
    NoData,

    /// <summary>Configuration, rendering, transport or provider error (event logged as an error; counts as a failed check).</summary>
    Error,
}

/// <summary>One metric check of one step.</summary>
/// <param name="Name">The metric's <c>name</c>.</param>
/// <param name="Kind">How it was evaluated.</param>
/// <param name="Provider">The metrics provider: the observer name for builtin metrics (<c>istio</c>, <c>kubernetes:service</c>…), the template's provider type, or <c>prometheus</c> for inline queries.</param>
/// <param name="Query">The rendered query as sent (before whitespace collapsing), when rendering got that far.</param>
/// <param name="Value">The raw query value (percent for success rate, milliseconds for duration, the template's unit otherwise).</param>
/// <param name="Thresholds">The thresholds the value was judged against.</param>
/// <param name="Outcome">Passed, failed, no data or error.</param>
/// <param name="Message">Upstream's exact event text for a non-passing check, e.g. "Halt podinfo.test advancement success rate 98.69% &lt; 99%"; null when passed.</param>
/// <param name="AnalysisValue">The value for <c>flagger_canary_metric_analysis</c> (request duration in seconds), set whenever the query returned a value.</param>
public sealed record MetricCheckResult(
    string Name,
    MetricCheckKind Kind,
    string Provider,
    string? Query,
    double? Value,
    MetricThresholds Thresholds,
    MetricCheckOutcome Outcome,
    string? Message,
    double? AnalysisValue)
{
    /// <summary>
    /// The text to record as the event: <see cref="Message"/>, plus the rendered query (whitespace collapsed, as sent) for
    /// <see cref="MetricCheckOutcome.NoData"/> so users can debug a query that matches nothing (ARCHITECTURE §9).
    /// </summary>
    public string? EventMessage => Outcome == MetricCheckOutcome.NoData && Query is not null
        ? $"{Message} (query: {string.Join(' ', Query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))})"
        : Message;

    /// <summary>Upstream records errors with <c>recordEventErrorf</c> (alert severity error) and the rest with <c>recordEventWarningf</c>.</summary>
    public bool IsError => Outcome == MetricCheckOutcome.Error;
}

/// <summary>The thresholds of a metric entry: <c>thresholdRange.min</c>/<c>max</c>, or the legacy <c>threshold</c>.</summary>
public sealed record MetricThresholds(double? Min, double? Max, double? Threshold);

/// <summary>The result of <see cref="ICanaryAnalyzer.CheckProvidersAsync"/>.</summary>
/// <param name="Available">True when every provider answered.</param>
/// <param name="Message">"all the metrics providers are available!" (Normal event) or "Error checking metric providers: …" (error event).</param>
public sealed record MetricProvidersAvailability(bool Available, string Message);
