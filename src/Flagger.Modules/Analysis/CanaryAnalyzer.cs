using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Analysis.Observers;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Analysis.Templates;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Analysis;

/// <summary>
/// Runs the metric checks of one step. Each entry of <c>analysis.metrics</c> becomes one concurrent check: builtin
/// metrics go through the mesh's observer on Prometheus, inline queries straight to Prometheus, template metrics
/// through the MetricTemplate's provider (template and Secret read from the cache). Results, never exceptions, come back
/// in metric order, carrying upstream's event texts.
/// </summary>
// upstream: pkg/controller/scheduler_metrics.go
internal sealed partial class CanaryAnalyzer(
    IKubeCache cache,
    MetricProviderFactory providers,
    IOptions<AnalysisOptions> options,
    ILogger<CanaryAnalyzer> logger) : ICanaryAnalyzer
{
    internal const string SuccessRate = "request-success-rate";
    internal const string Duration = "request-duration";

    /// <summary>Every metric interval defaults to 1m (ARCHITECTURE §9; upstream defaults builtin metrics only, quirk §12.7).</summary>

    public async Task<CanaryAnalysisResult> AnalyzeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var metrics = canary.Spec.Analysis?.Metrics ?? [];
        var (route, knativeError) = KnativeRoute(canary);
        if (knativeError is not null)
        {
            // upstream fails the whole tick before any check when the Knative Service cannot be read
            return new CanaryAnalysisResult(metrics.Select(m => new MetricCheckResult(m.Name ?? "", KindOf(m), "", null, null,
                new MetricThresholds(m.ThresholdRange?.Min, m.ThresholdRange?.Max, m.Threshold), MetricCheckOutcome.Error, knativeError, null)).ToList());
        }

        var checks = metrics.Select(m => RunCheckAsync(canary, m, route, cancellationToken)).ToArray();
        return new CanaryAnalysisResult(await Task.WhenAll(checks).ConfigureAwait(false));
    }

    public async Task<MetricProvidersAvailability> CheckProvidersAsync(Canary canary, CancellationToken cancellationToken)
    {
        foreach (var metric in canary.Spec.Analysis?.Metrics ?? [])
        {
            var error = await CheckProviderAsync(canary, metric, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return new MetricProvidersAvailability(false, "Error checking metric providers: " + error);
            }
        }

        return new MetricProvidersAvailability(true, "all the metrics providers are available!");
    }

    /// <summary>
    /// For the knative provider (canary's or global), <c>{{ route }}</c> is the Knative Service's latest created revision.
    /// </summary>
    // upstream: pkg/controller/scheduler_metrics.go (knativeService.Status.LatestCreatedRevisionName)
    private (string? Route, string? Error) KnativeRoute(Canary canary)
    {
        if (canary.Spec.Provider != "knative" && options.Value.MeshProvider != "knative")
        {
            return (null, null);
        }

        var ns = canary.Metadata.NamespaceProperty ?? "";
        var name = canary.Spec.TargetRef?.Name ?? "";
        var service = cache.Get<Flagger.Modules.Shared.Knative.KnativeService>(ns, name);
        return service is null
            ? (null, $"Error fetching Knative service {ns}/{name} services.serving.knative.dev \"{name}\" not found")
            : (service.Status?.LatestCreatedRevisionName ?? "", null);
    }

    private MetricTemplateModel Model(Canary canary, CanaryMetric metric, string? route)
    {
        var model = MetricTemplateModel.For(canary, Interval(metric), metric.TemplateVariables);
        return route is null ? model : model with { Route = route };
    }

    private async Task<MetricCheckResult> RunCheckAsync(Canary canary, CanaryMetric metric, string? route, CancellationToken cancellationToken)
    {
        var kind = KindOf(metric);
        var name = metric.Name ?? "";
        var thresholds = new MetricThresholds(metric.ThresholdRange?.Min, metric.ThresholdRange?.Max, metric.Threshold);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(options.Value.MetricCheckTimeout);
        try
        {
            var result = kind switch
            {
                MetricCheckKind.Template => await RunTemplateAsync(canary, metric, route, thresholds, cts.Token).ConfigureAwait(false),
                MetricCheckKind.Builtin => await RunBuiltinAsync(canary, metric, route, thresholds, cts.Token).ConfigureAwait(false),
                MetricCheckKind.InlineQuery => await RunInlineAsync(canary, metric, route, thresholds, cts.Token).ConfigureAwait(false),
                _ => new MetricCheckResult(name, kind, "", null, null, thresholds, MetricCheckOutcome.Error,
                    "Metric query failed for no usable metrics template and query were configured", null),
            };
            if (result.Outcome != MetricCheckOutcome.Passed)
            {
                Log.CheckDidNotPass(logger, canary.Metadata.Name, canary.Metadata.NamespaceProperty, name, result.Outcome, result.Message ?? "");
            }

            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var message = kind == MetricCheckKind.Template
                ? $"Metric query failed for {name}: timed out after {options.Value.MetricCheckTimeout.TotalSeconds:0.###}s"
                : $"Prometheus query failed: metric {name} timed out after {options.Value.MetricCheckTimeout.TotalSeconds:0.###}s";
            return new MetricCheckResult(name, kind, "", null, null, thresholds, MetricCheckOutcome.Error, message, null);
        }
    }

    /// <summary>
    /// Which path a metric takes. A <c>templateRef</c> wins; then the builtin names; then an inline query. (Upstream runs
    /// the builtin and the template/query paths one after the other for the odd entry that has both; we run one.)
    /// </summary>
    internal static MetricCheckKind KindOf(CanaryMetric metric) => metric switch
    {
        { TemplateRef: not null } => MetricCheckKind.Template,
        { Name: SuccessRate or Duration } => MetricCheckKind.Builtin,
        { Query.Length: > 0 } => MetricCheckKind.InlineQuery,
        _ => MetricCheckKind.Unusable,
    };

    private string MetricsServer(Canary canary) =>
        string.IsNullOrEmpty(canary.Spec.MetricsServer) ? options.Value.MetricsServer : canary.Spec.MetricsServer;

    private string MetricsProvider(Canary canary) => ObserverFactory.MetricsProvider(
        options.Value.MeshProvider, canary.Spec.Provider, canary.Spec.TargetRef?.Kind, IsKnativeTarget(canary));

    private static bool IsKnativeTarget(Canary canary) => KnownValues.IsKnativeTarget(canary.Spec);

    private static string Interval(CanaryMetric metric) => CanaryDefaults.GetMetricInterval(metric);

    private async Task<MetricCheckResult> RunBuiltinAsync(Canary canary, CanaryMetric metric, string? route, MetricThresholds thresholds, CancellationToken ct)
    {
        var name = metric.Name!;
        var metricsProvider = MetricsProvider(canary);
        var server = MetricsServer(canary);
        MetricCheckResult Result(string? query, double? value, MetricCheckOutcome outcome, string? message, double? analysis = null) =>
            new(name, MetricCheckKind.Builtin, metricsProvider, query, value, thresholds, outcome, message, analysis);

        PrometheusMetricProvider prometheus;
        try
        {
            prometheus = providers.CreatePrometheus(server);
        }
        catch (MetricProviderConfigException e)
        {
            return Result(null, null, MetricCheckOutcome.Error, $"Error building Prometheus client for {server} {e.Message}");
        }

        var observer = ObserverFactory.Create(metricsProvider);
        var model = observer.Prepare(Model(canary, metric, route));
        var isRate = name == SuccessRate;
        var wrap = !isRate || observer.WrapsSuccessRateErrors;
        string query;
        try
        {
            query = model.Render(isRate ? observer.SuccessRateQuery : observer.DurationQuery);
        }
        catch (TemplateException e)
        {
            return Result(null, null, MetricCheckOutcome.Error, $"Prometheus query failed: {(wrap ? "rendering query failed: " : "")}{e.Message}");
        }

        Log.Query(logger, canary.Metadata.Name, canary.Metadata.NamespaceProperty, name, query);
        double value;
        try
        {
            value = await prometheus.RunQueryAsync(query, ct).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            var error = (wrap ? "running query failed: " : "") + e.Message;
            var target = canary.Spec.TargetRef?.Name;
            var ns = canary.Metadata.NamespaceProperty;
            if (!e.NoValues)
            {
                return Result(query, null, MetricCheckOutcome.Error, $"Prometheus query failed: {error}");
            }

            // upstream: the success-rate text carries the error, the duration text does not
            return Result(query, null, MetricCheckOutcome.NoData, isRate
                ? $"Halt advancement no values found for {metricsProvider} metric {name} probably {target}.{ns} is not receiving traffic: {error}"
                : $"Halt advancement no values found for {metricsProvider} metric {name} probably {target}.{ns} is not receiving traffic");
        }

        if (isRate)
        {
            var halt = ThresholdJudge.SuccessRate(canary, value, thresholds);
            return Result(query, value, halt is null ? MetricCheckOutcome.Passed : MetricCheckOutcome.Failed, halt, value);
        }

        var ms = observer.ToMilliseconds(value);
        var durationHalt = ThresholdJudge.RequestDuration(canary, ms, thresholds);
        return Result(query, ms, durationHalt is null ? MetricCheckOutcome.Passed : MetricCheckOutcome.Failed, durationHalt, ms / 1000.0);
    }

    private async Task<MetricCheckResult> RunInlineAsync(Canary canary, CanaryMetric metric, string? route, MetricThresholds thresholds, CancellationToken ct)
    {
        var name = metric.Name ?? "";
        var server = MetricsServer(canary);
        MetricCheckResult Result(string? query, double? value, MetricCheckOutcome outcome, string? message) =>
            new(name, MetricCheckKind.InlineQuery, "prometheus", query, value, thresholds, outcome, message, value);

        PrometheusMetricProvider prometheus;
        try
        {
            prometheus = providers.CreatePrometheus(server);
        }
        catch (MetricProviderConfigException e)
        {
            return Result(null, null, MetricCheckOutcome.Error, $"Error building Prometheus client for {server} {e.Message}");
        }

        string query;
        try
        {
            query = Model(canary, metric, route).Render(metric.Query!);
        }
        catch (TemplateException e)
        {
            // upstream ignores this error and sends whatever rendered; we stop with the reason instead
            return Result(null, null, MetricCheckOutcome.Error, $"Prometheus query failed for {name}: {e.Message}");
        }

        Log.Query(logger, canary.Metadata.Name, canary.Metadata.NamespaceProperty, name, query);
        try
        {
            var value = await prometheus.RunQueryAsync(query, ct).ConfigureAwait(false);
            var halt = ThresholdJudge.Custom(canary, name, value, thresholds);
            return Result(query, value, halt is null ? MetricCheckOutcome.Passed : MetricCheckOutcome.Failed, halt);
        }
        catch (MetricQueryException e) when (e.NoValues)
        {
            return Result(query, null, MetricCheckOutcome.NoData, $"Halt advancement no values found for metric: {name}");
        }
        catch (MetricQueryException e)
        {
            return Result(query, null, MetricCheckOutcome.Error, $"Prometheus query failed for {name}: {e.Message}");
        }
    }

    private async Task<MetricCheckResult> RunTemplateAsync(Canary canary, CanaryMetric metric, string? route, MetricThresholds thresholds, CancellationToken ct)
    {
        var name = metric.Name ?? "";
        var resolved = ResolveTemplate(canary, metric);
        var provider = resolved.Template?.Spec.Provider?.Type ?? "";
        MetricCheckResult Result(string? query, double? value, MetricCheckOutcome outcome, string? message) =>
            new(name, MetricCheckKind.Template, provider, query, value, thresholds, outcome, message, value);

        if (resolved.Error is not null)
        {
            return Result(null, null, MetricCheckOutcome.Error, resolved.Error);
        }

        var (template, credentials, ns) = (resolved.Template!, resolved.Credentials!, resolved.Namespace);
        var templateName = metric.TemplateRef!.Name;
        IMetricProvider metricProvider;
        try
        {
            metricProvider = providers.Create(Interval(metric), template.Spec.Provider!, credentials);
        }
        catch (MetricProviderConfigException e)
        {
            return Result(null, null, MetricCheckOutcome.Error, $"Metric template {templateName}.{ns} provider {provider} error: {e.Message}");
        }

        string query;
        try
        {
            query = Model(canary, metric, route).Render(template.Spec.Query ?? "");
        }
        catch (TemplateException e)
        {
            return Result(null, null, MetricCheckOutcome.Error, $"Metric template {templateName}.{ns} query render error: {e.Message}");
        }

        Log.Query(logger, canary.Metadata.Name, canary.Metadata.NamespaceProperty, name, query);
        try
        {
            var value = await metricProvider.RunQueryAsync(query, ct).ConfigureAwait(false);
            var halt = ThresholdJudge.Custom(canary, name, value, thresholds);
            return Result(query, value, halt is null ? MetricCheckOutcome.Passed : MetricCheckOutcome.Failed, halt);
        }
        catch (MetricQueryException e) when (e.NoValues)
        {
            return Result(query, null, MetricCheckOutcome.NoData, $"Halt advancement no values found for custom metric: {name}: {e.Message}");
        }
        catch (MetricQueryException e)
        {
            return Result(query, null, MetricCheckOutcome.Error, $"Metric query failed for {name}: {e.Message}");
        }
    }

    private sealed record ResolvedTemplate(MetricTemplate? Template, IReadOnlyDictionary<string, byte[]>? Credentials, string Namespace, string? Error);

    /// <summary>The MetricTemplate (templateRef namespace or the canary's) and its Secret, both from the cache.</summary>
    private ResolvedTemplate ResolveTemplate(Canary canary, CanaryMetric metric)
    {
        var canaryNs = canary.Metadata.NamespaceProperty ?? "";
        var reference = metric.TemplateRef!;
        var ns = string.IsNullOrEmpty(reference.Namespace) ? canaryNs : reference.Namespace;
        var templateName = reference.Name ?? "";
        if (options.Value.NoCrossNamespaceRefs && ns != canaryNs)
        {
            // upstream: pkg/controller/controller.go verifyNoCrossNamespaceRefs
            return new(null, null, ns, $"invalid canary spec: can't access metric template {templateName}.{reference.Namespace}, cross-namespace references are blocked");
        }

        if (templateName.Length == 0)
        {
            return new(null, null, ns, $"Metric template .{ns} error: templateRef.name is required");
        }

        var template = cache.Get<MetricTemplate>(ns, templateName);
        if (template is null)
        {
            return new(null, null, ns, $"Metric template {templateName}.{ns} error: metrictemplate.flagger.app \"{templateName}\" not found");
        }

        if (template.Spec.Provider is null)
        {
            return new(template, null, ns, $"Metric template {templateName}.{ns} provider error: spec.provider is required");
        }

        var credentials = new Dictionary<string, byte[]>();
        if (template.Spec.Provider.SecretRef is { } secretRef)
        {
            var secretName = secretRef.Name ?? "";
            var secret = secretName.Length == 0 ? null : cache.Get<V1Secret>(ns, secretName);
            if (secret is null)
            {
                return new(template, null, ns, $"Metric template {templateName}.{ns} secret {secretName} error: secrets \"{secretName}\" not found");
            }

            foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
            {
                credentials[key] = value;
            }

            foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>())
            {
                credentials.TryAdd(key, System.Text.Encoding.UTF8.GetBytes(value));
            }
        }

        return new(template, credentials, ns, null);
    }

    private async Task<string?> CheckProviderAsync(Canary canary, CanaryMetric metric, CancellationToken ct)
    {
        // upstream: pkg/controller/scheduler_metrics.go checkMetricProviderAvailability ("avaiable" is upstream's spelling)
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(options.Value.MetricCheckTimeout);
        try
        {
            if (metric.Name is SuccessRate or Duration && metric.TemplateRef is null)
            {
                var server = MetricsServer(canary);
                PrometheusMetricProvider prometheus;
                try
                {
                    prometheus = providers.CreatePrometheus(server);
                }
                catch (MetricProviderConfigException e)
                {
                    return $"error building Prometheus client for {server} {e.Message}";
                }

                try
                {
                    await prometheus.IsOnlineAsync(cts.Token).ConfigureAwait(false);
                    return null;
                }
                catch (MetricQueryException e)
                {
                    return $"prometheus not avaiable: {e.Message}";
                }
            }

            if (metric.TemplateRef is null)
            {
                return null;
            }

            var resolved = ResolveTemplate(canary, metric);
            if (resolved.Error is not null)
            {
                return char.ToLowerInvariant(resolved.Error[0]) + resolved.Error[1..];
            }

            var template = resolved.Template!;
            IMetricProvider provider;
            try
            {
                provider = providers.Create(Interval(metric), template.Spec.Provider!, resolved.Credentials!);
            }
            catch (MetricProviderConfigException e)
            {
                return $"metric template {metric.TemplateRef.Name}.{resolved.Namespace} provider {template.Spec.Provider!.Type} error: {e.Message}";
            }

            try
            {
                await provider.IsOnlineAsync(cts.Token).ConfigureAwait(false);
                return null;
            }
            catch (MetricQueryException e)
            {
                return $"{template.Spec.Provider!.Type} in metric template {template.Metadata.Name}.{template.Metadata.NamespaceProperty} not avaiable: {e.Message}";
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"metric {metric.Name} provider check timed out after {options.Value.MetricCheckTimeout.TotalSeconds:0.###}s";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Canary {Canary}.{Namespace} metric {Metric} query: {Query}")]
        public static partial void Query(ILogger logger, string? canary, string? @namespace, string metric, string query);

        [LoggerMessage(Level = LogLevel.Information, Message = "Canary {Canary}.{Namespace} metric {Metric} {Outcome}: {Message}")]
        public static partial void CheckDidNotPass(ILogger logger, string? canary, string? @namespace, string metric, MetricCheckOutcome outcome, string message);
    }
}
