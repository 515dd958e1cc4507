using Flagger.Modules.Shared.Providers;
using k8s.Models;

namespace Flagger.Modules.Shared.Crd;

/// <summary>
/// Upstream Flagger's defaults for <c>flagger.app/v1beta1</c> objects, in one place. The CRD types stay nullable so
/// that objects round-trip unchanged; code that needs an effective value asks here, either one value at a time or
/// through the immutable <see cref="CanarySettings"/> view returned by <see cref="Resolve"/>.
/// </summary>
/// <remarks>
/// Unparsable values resolve to the default (as upstream does for <c>analysis.interval</c>); the
/// <see cref="Validation.CanaryValidator"/> reports them so the user sees why.
/// </remarks>
/// <example>
/// <code>
/// var settings = CanaryDefaults.Resolve(canary, defaultProvider: "istio");
/// scheduler.Every(settings.Interval);                       // 60s when unset, never below 10s
/// var label = settings.Strategy.ToMetricLabel();            // "canary", "blue-green" or "ab-testing"
/// </code>
/// </example>
// upstream: pkg/apis/flagger/v1beta1/canary.go (Get* helpers), pkg/controller/scheduler.go (maxWeight), webhook.go
public static class CanaryDefaults
{
    /// <summary><c>analysis.interval</c> when empty or unparsable.</summary>
    public static readonly TimeSpan AnalysisInterval = TimeSpan.FromSeconds(60);

    /// <summary>The floor of <c>analysis.interval</c>: shorter values run every 10s.</summary>
    public static readonly TimeSpan MinAnalysisInterval = TimeSpan.FromSeconds(10);

    /// <summary><c>analysis.threshold</c> when unset or not positive.</summary>
    public const int Threshold = 1;

    /// <summary>The total weight; also <c>analysis.maxWeight</c> when unset.</summary>
    public const int TotalWeight = 100;

    /// <summary><c>service.portName</c> when unset.</summary>
    public const string PortName = "http";

    /// <summary>The Istio gateway used when <c>service.gateways</c> is empty.</summary>
    public const string MeshGateway = "mesh";

    /// <summary>Metric <c>interval</c> when unset; we apply it to every metric, not only builtin ones (ARCHITECTURE §9).</summary>
    public const string MetricInterval = "1m";

    /// <summary><c>analysis.primaryReadyThreshold</c> and <c>canaryReadyThreshold</c> (percent) when unset.</summary>
    public const int ReadyThreshold = 100;

    /// <summary><c>spec.progressDeadlineSeconds</c> when unset.</summary>
    public const int ProgressDeadlineSeconds = 600;

    /// <summary><c>analysis.sessionAffinity.maxAge</c> (seconds) when unset or zero.</summary>
    public const int SessionAffinityMaxAge = 86400;

    /// <summary>Webhook <c>timeout</c> when unset (or shorter than two characters, as upstream).</summary>
    public static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The routing provider upstream's <c>-mesh-provider</c> flag defaults to.</summary>
    public const string MeshProvider = "istio";

    /// <summary>Iterations the <c>kubernetes</c> provider forces when <c>analysis.iterations</c> is below 1 (quirk §12.19).</summary>
    public const int KubernetesProviderIterations = 10;

    /// <summary>Resolves every default of <paramref name="canary"/> into an immutable view.</summary>
    /// <param name="canary">The canary as read from the cluster (never modified).</param>
    /// <param name="defaultProvider">The global provider (<c>-mesh-provider</c>) used when <c>spec.provider</c> is empty.</param>
    public static CanarySettings Resolve(Canary canary, string defaultProvider = MeshProvider)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var spec = canary.Spec;
        var analysis = spec.Analysis;
        var service = spec.Service;
        var (apex, primary, canaryService) = ServiceNames(canary);
        return new CanarySettings(
            Provider: string.IsNullOrEmpty(spec.Provider) ? defaultProvider : spec.Provider,
            TargetName: spec.TargetRef?.Name ?? "",
            ApexServiceName: apex,
            PrimaryServiceName: primary,
            CanaryServiceName: canaryService,
            Port: service?.Port,
            PortName: GetPortName(service),
            TargetPort: GetTargetPort(service),
            Gateways: GetGateways(service),
            ProgressDeadlineSeconds: GetProgressDeadlineSeconds(spec),
            SkipAnalysis: GetSkipAnalysis(spec),
            Strategy: GetDeploymentStrategy(analysis),
            Mirroring: analysis?.Mirror == true && GetDeploymentStrategy(analysis) != DeploymentStrategy.ABTesting,
            Interval: GetAnalysisInterval(analysis),
            Threshold: GetThreshold(analysis),
            Iterations: analysis?.Iterations ?? 0,
            MaxWeight: GetMaxWeight(analysis),
            StepWeight: analysis?.StepWeight ?? 0,
            StepWeights: [.. analysis?.StepWeights ?? []],
            StepWeightPromotion: analysis?.StepWeightPromotion ?? 0,
            MirrorWeight: analysis?.MirrorWeight ?? 0,
            PrimaryReadyThreshold: GetPrimaryReadyThreshold(analysis),
            CanaryReadyThreshold: GetCanaryReadyThreshold(analysis),
            SessionAffinityMaxAge: GetSessionAffinityMaxAge(analysis?.SessionAffinity),
            Metrics: [.. (analysis?.Metrics ?? []).Select(m => new MetricSettings(m.Name ?? "", GetMetricInterval(m), GetMetricIntervalDuration(m), m))],
            Webhooks: [.. (analysis?.Webhooks ?? []).Select(w => new WebhookSettings(w.Name ?? "", GetWebhookType(w), w.Url ?? "", GetWebhookTimeout(w), w.Retries ?? 0, w.MuteAlert ?? false, w.DisableTls ?? false, w))],
            SessionAffinity: analysis?.SessionAffinity,
            HasMatch: analysis?.Match is { Count: > 0 },
            HasAutoscaler: spec.AutoscalerRef is not null,
            Capabilities: ProviderCatalog.Find(string.IsNullOrEmpty(spec.Provider) ? defaultProvider : spec.Provider));
    }

    /// <summary>The apex, primary and canary Service names: <c>service.name</c> (default <c>targetRef.name</c>), <c>-primary</c>, <c>-canary</c>.</summary>
    public static (string Apex, string Primary, string Canary) ServiceNames(Canary canary)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var apex = string.IsNullOrEmpty(canary.Spec.Service?.Name) ? canary.Spec.TargetRef?.Name ?? "" : canary.Spec.Service.Name;
        return (apex, $"{apex}-primary", $"{apex}-canary");
    }

    /// <summary><c>analysis.interval</c>: 60s when empty or unparsable, at least 10s.</summary>
    public static TimeSpan GetAnalysisInterval(CanaryAnalysis? analysis)
    {
        if (string.IsNullOrEmpty(analysis?.Interval) || !GoDuration.TryParse(analysis.Interval, out var interval, out _))
        {
            return AnalysisInterval;
        }

        return interval < MinAnalysisInterval ? MinAnalysisInterval : interval;
    }

    /// <summary><c>analysis.threshold</c>, or 1 when unset or not positive.</summary>
    public static int GetThreshold(CanaryAnalysis? analysis) => analysis?.Threshold is > 0 and var t ? t : Threshold;

    /// <summary>
    /// The weight at which promotion starts: with <c>stepWeights</c> the smaller of 100 and their last element (even when
    /// <c>maxWeight</c> is set); otherwise <c>maxWeight</c> when positive; otherwise 100.
    /// </summary>
    // upstream: pkg/controller/scheduler.go, maxWeight
    public static int GetMaxWeight(CanaryAnalysis? analysis)
    {
        if (analysis?.StepWeights is { Count: > 0 } steps)
        {
            return Math.Min(TotalWeight, steps[^1]);
        }

        return analysis?.MaxWeight is > 0 and var max ? max : TotalWeight;
    }

    /// <summary>Upstream's <c>Canary.DeploymentStrategy()</c>: A/B when <c>match</c> and <c>iterations &gt; 0</c>, blue/green when <c>iterations &gt; 0</c>, else canary.</summary>
    public static DeploymentStrategy GetDeploymentStrategy(CanaryAnalysis? analysis)
    {
        if (analysis is null)
        {
            return DeploymentStrategy.Canary;
        }

        if (analysis.Match is { Count: > 0 } && analysis.Iterations > 0)
        {
            return DeploymentStrategy.ABTesting;
        }

        return analysis.Iterations > 0 ? DeploymentStrategy.BlueGreen : DeploymentStrategy.Canary;
    }

    /// <summary>True when <c>skipAnalysis</c> is set or there is no analysis at all.</summary>
    public static bool GetSkipAnalysis(CanarySpec spec) => spec.Analysis is null || spec.SkipAnalysis == true;

    /// <summary><c>spec.progressDeadlineSeconds</c>, or 600.</summary>
    public static int GetProgressDeadlineSeconds(CanarySpec spec) => spec.ProgressDeadlineSeconds ?? ProgressDeadlineSeconds;

    /// <summary><c>analysis.primaryReadyThreshold</c> (percent), or 100.</summary>
    public static int GetPrimaryReadyThreshold(CanaryAnalysis? analysis) => analysis?.PrimaryReadyThreshold ?? ReadyThreshold;

    /// <summary><c>analysis.canaryReadyThreshold</c> (percent), or 100.</summary>
    public static int GetCanaryReadyThreshold(CanaryAnalysis? analysis) => analysis?.CanaryReadyThreshold ?? ReadyThreshold;

    /// <summary><c>service.portName</c>, or <c>http</c>.</summary>
    public static string GetPortName(CanaryService? service) => string.IsNullOrEmpty(service?.PortName) ? PortName : service.PortName;

    /// <summary><c>service.targetPort</c>, or <c>service.port</c> when unset (null when neither is set).</summary>
    public static IntOrString? GetTargetPort(CanaryService? service)
    {
        if (service?.TargetPort is { Value: { Length: > 0 } and not "0" } targetPort)
        {
            return targetPort;
        }

        return service?.Port is { } port ? (IntOrString)port : null;
    }

    /// <summary><c>service.gateways</c>, or <c>["mesh"]</c> when empty (a non-empty list never gets <c>mesh</c> added).</summary>
    public static IReadOnlyList<string> GetGateways(CanaryService? service) =>
        service?.Gateways is { Count: > 0 } gateways ? [.. gateways] : [MeshGateway];

    /// <summary><c>sessionAffinity.maxAge</c>, or 86400 when unset or zero.</summary>
    public static int GetSessionAffinityMaxAge(SessionAffinity? affinity) => affinity?.MaxAge is { } age and not 0 ? age : SessionAffinityMaxAge;

    /// <summary>
    /// <c>service.rewrite.type</c> for Gateway API's URLRewrite path: <c>ReplacePrefixMatch</c> when so written, otherwise
    /// <c>ReplaceFullPath</c> (upstream: pkg/apis/flagger/v1beta1/canary.go HTTPRewrite.GetType).
    /// </summary>
    public static string GetRewriteType(HttpRewrite? rewrite) =>
        rewrite?.Type == RewriteReplacePrefixMatch ? RewriteReplacePrefixMatch : RewriteReplaceFullPath;

    /// <summary>Gateway API path modifier that replaces the whole path (the default rewrite type).</summary>
    public const string RewriteReplaceFullPath = "ReplaceFullPath";

    /// <summary>Gateway API path modifier that replaces the matched prefix.</summary>
    public const string RewriteReplacePrefixMatch = "ReplacePrefixMatch";

    /// <summary>The metric <c>interval</c> text, <c>1m</c> when empty.</summary>
    public static string GetMetricInterval(CanaryMetric metric) => string.IsNullOrEmpty(metric.Interval) ? MetricInterval : metric.Interval;

    /// <summary>The metric interval as a duration; 1m when empty or unparsable.</summary>
    public static TimeSpan GetMetricIntervalDuration(CanaryMetric metric) =>
        GoDuration.TryParse(GetMetricInterval(metric), out var value, out _) ? value : TimeSpan.FromMinutes(1);

    /// <summary>The webhook type; empty means <c>rollout</c>.</summary>
    public static string GetWebhookType(CanaryWebhook webhook) => string.IsNullOrEmpty(webhook.Type) ? "rollout" : webhook.Type;

    /// <summary>The webhook timeout: 10s when the text is shorter than two characters or unparsable.</summary>
    // upstream: pkg/controller/webhook.go, CallWebhook ("len(w.Timeout) < 2")
    public static TimeSpan GetWebhookTimeout(CanaryWebhook webhook) =>
        webhook.Timeout is { Length: >= 2 } text && GoDuration.TryParse(text, out var value, out _) ? value : WebhookTimeout;
}

/// <summary>Every effective value of one canary, defaults applied (see <see cref="CanaryDefaults.Resolve"/>).</summary>
/// <param name="Provider">Routing provider: <c>spec.provider</c> or the global default.</param>
/// <param name="TargetName">Name of the target workload (<c>targetRef.name</c>); the primary is <c>&lt;TargetName&gt;-primary</c>.</param>
/// <param name="ApexServiceName">Apex Service, <c>service.name</c> or the target name.</param>
/// <param name="PrimaryServiceName"><c>&lt;apex&gt;-primary</c>.</param>
/// <param name="CanaryServiceName"><c>&lt;apex&gt;-canary</c>.</param>
/// <param name="Port"><c>service.port</c> (null when the block is absent, e.g. Knative).</param>
/// <param name="PortName"><c>service.portName</c> or <c>http</c>.</param>
/// <param name="TargetPort"><c>service.targetPort</c> or the port.</param>
/// <param name="Gateways">Istio gateways, <c>["mesh"]</c> when empty.</param>
/// <param name="ProgressDeadlineSeconds">600 unless set.</param>
/// <param name="SkipAnalysis"><c>skipAnalysis</c>, or true when there is no analysis.</param>
/// <param name="Strategy">Upstream's deployment strategy (metric label via <see cref="DeploymentStrategyExtensions.ToMetricLabel"/>).</param>
/// <param name="Mirroring">Traffic mirroring requested for a canary or blue/green run (A/B never mirrors).</param>
/// <param name="Interval">Analysis tick period, default 60s, floor 10s.</param>
/// <param name="Threshold">Failed checks before rollback, at least 1.</param>
/// <param name="Iterations"><c>analysis.iterations</c> or 0.</param>
/// <param name="MaxWeight">Weight at which promotion starts.</param>
/// <param name="StepWeight"><c>analysis.stepWeight</c> or 0.</param>
/// <param name="StepWeights"><c>analysis.stepWeights</c> or empty.</param>
/// <param name="StepWeightPromotion">0 means all traffic at once.</param>
/// <param name="MirrorWeight">0 means no <c>mirrorPercentage</c> (100%).</param>
/// <param name="PrimaryReadyThreshold">Percent, default 100.</param>
/// <param name="CanaryReadyThreshold">Percent, default 100.</param>
/// <param name="SessionAffinityMaxAge">Cookie max age in seconds, default 86400.</param>
/// <param name="Metrics">Metrics with their interval defaulted to <c>1m</c>.</param>
/// <param name="Webhooks">Webhooks with type and timeout defaulted.</param>
/// <param name="SessionAffinity"><c>analysis.sessionAffinity</c> as written (null when absent).</param>
/// <param name="HasMatch"><c>analysis.match</c> is not empty.</param>
/// <param name="HasAutoscaler"><c>spec.autoscalerRef</c> is set.</param>
/// <param name="Capabilities">The provider's catalog row, null when the provider is unknown (the validator reports it).</param>
public sealed record CanarySettings(
    string Provider,
    string TargetName,
    string ApexServiceName,
    string PrimaryServiceName,
    string CanaryServiceName,
    int? Port,
    string PortName,
    IntOrString? TargetPort,
    IReadOnlyList<string> Gateways,
    int ProgressDeadlineSeconds,
    bool SkipAnalysis,
    DeploymentStrategy Strategy,
    bool Mirroring,
    TimeSpan Interval,
    int Threshold,
    int Iterations,
    int MaxWeight,
    int StepWeight,
    IReadOnlyList<int> StepWeights,
    int StepWeightPromotion,
    int MirrorWeight,
    int PrimaryReadyThreshold,
    int CanaryReadyThreshold,
    int SessionAffinityMaxAge,
    IReadOnlyList<MetricSettings> Metrics,
    IReadOnlyList<WebhookSettings> Webhooks,
    SessionAffinity? SessionAffinity,
    bool HasMatch,
    bool HasAutoscaler,
    RoutingProviderCapabilities? Capabilities)
{
    /// <summary><c>analysis.metrics</c> is not empty.</summary>
    public bool HasMetrics => Metrics.Count > 0;
}

/// <summary>One metric with its interval defaulted.</summary>
/// <param name="Name">Metric name (<c>request-success-rate</c> and <c>request-duration</c> are builtin).</param>
/// <param name="Interval">Interval text for templates (<c>{{ interval }}</c>), <c>1m</c> when unset.</param>
/// <param name="IntervalDuration">The same interval as a duration.</param>
/// <param name="Source">The metric as written.</param>
public sealed record MetricSettings(string Name, string Interval, TimeSpan IntervalDuration, CanaryMetric Source);

/// <summary>One webhook with its defaults applied.</summary>
/// <param name="Name">Webhook name.</param>
/// <param name="Type">Hook type; empty is resolved to <c>rollout</c>.</param>
/// <param name="Url">Target URL.</param>
/// <param name="Timeout">Per-attempt timeout, 10s by default.</param>
/// <param name="Retries">Retries, 0 by default.</param>
/// <param name="MuteAlert">Mute the confirm-* alerts of this hook.</param>
/// <param name="DisableTls">Skip certificate verification.</param>
/// <param name="Source">The webhook as written.</param>
public sealed record WebhookSettings(string Name, string Type, string Url, TimeSpan Timeout, int Retries, bool MuteAlert, bool DisableTls, CanaryWebhook Source);
