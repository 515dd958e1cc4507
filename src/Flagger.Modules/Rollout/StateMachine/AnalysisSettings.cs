using System.Globalization;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>
/// The analysis settings of a Canary with upstream's defaults applied (<c>pkg/apis/flagger/v1beta1/canary.go</c>,
/// <c>pkg/controller/scheduler.go</c> maxWeight/nextStepWeight). Deliberately small and internal so it can be swapped
/// for Shared's <c>CanaryDefaults</c> once that lands.
/// </summary>
internal sealed record AnalysisSettings
{
    public const int TotalWeight = 100;

    public required string Provider { get; init; }
    public required bool SkipAnalysis { get; init; }
    public required TimeSpan Interval { get; init; }
    public required int Threshold { get; init; }
    public required int Iterations { get; init; }
    public required int MaxWeight { get; init; }
    public required int StepWeight { get; init; }
    public required IReadOnlyList<int> StepWeights { get; init; }
    public required int StepWeightPromotion { get; init; }
    public required bool Mirror { get; init; }
    public required bool HasMatch { get; init; }
    public required int ProgressDeadlineSeconds { get; init; }
    public required SessionAffinity? SessionAffinity { get; init; }
    public required IReadOnlyList<CanaryWebhook> Webhooks { get; init; }
    public required bool HasMetrics { get; init; }
    public required bool HasAutoscaler { get; init; }

    public bool IsKubernetesProvider => Provider == "kubernetes";

    public bool IsAppMesh => Provider.StartsWith("appmesh", StringComparison.Ordinal);

    /// <summary>Providers whose router implements session affinity (Istio, Gateway API).</summary>
    public bool SupportsSessionAffinity =>
        SessionAffinity is not null && (Provider == "istio" || Provider.StartsWith("gatewayapi", StringComparison.Ordinal));

    /// <summary>upstream: <c>Canary.DeploymentStrategy()</c>.</summary>
    public string Strategy => HasMatch && Iterations > 0 ? "ab-testing" : Iterations > 0 ? "blue-green" : "canary";

    public static AnalysisSettings Resolve(CanarySpec spec, string defaultProvider)
    {
        var analysis = spec.Analysis;
        var stepWeights = analysis?.StepWeights ?? [];
        var maxWeight = stepWeights.Count > 0
            ? Math.Min(TotalWeight, stepWeights[^1])
            : analysis?.MaxWeight is > 0 ? analysis.MaxWeight.Value : TotalWeight;
        return new AnalysisSettings
        {
            Provider = string.IsNullOrEmpty(spec.Provider) ? defaultProvider : spec.Provider,
            SkipAnalysis = analysis is null || spec.SkipAnalysis == true,
            Interval = ParseInterval(analysis?.Interval),
            Threshold = analysis?.Threshold is > 0 ? analysis.Threshold.Value : 1,
            Iterations = analysis?.Iterations ?? 0,
            MaxWeight = maxWeight,
            StepWeight = analysis?.StepWeight ?? 0,
            StepWeights = stepWeights,
            StepWeightPromotion = analysis?.StepWeightPromotion ?? 0,
            Mirror = analysis?.Mirror == true,
            HasMatch = analysis?.Match is { Count: > 0 },
            ProgressDeadlineSeconds = spec.ProgressDeadlineSeconds ?? 600,
            SessionAffinity = analysis?.SessionAffinity,
            Webhooks = analysis?.Webhooks ?? [],
            HasMetrics = analysis?.Metrics is { Count: > 0 },
            HasAutoscaler = spec.AutoscalerRef is not null,
        };
    }

    /// <summary>upstream: <c>GetAnalysisInterval</c>: default 60s, parse error → 60s, below 10s → 10s.</summary>
    public static TimeSpan ParseInterval(string? value)
    {
        var fallback = TimeSpan.FromSeconds(60);
        if (string.IsNullOrEmpty(value) || !TryParseGoDuration(value, out var parsed))
        {
            return fallback;
        }

        return parsed < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : parsed;
    }

    /// <summary>A Go <c>time.ParseDuration</c> subset: sequences of decimal numbers with units ns, us, ms, s, m, h.</summary>
    public static bool TryParseGoDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var i = 0;
        var total = 0.0;
        if (value == "0")
        {
            return true;
        }

        while (i < value.Length)
        {
            var start = i;
            while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(value.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < value.Length && !char.IsAsciiDigit(value[i]) && value[i] != '.')
            {
                i++;
            }

            double? millis = value[unitStart..i] switch
            {
                "ns" => number / 1_000_000,
                "us" or "µs" => number / 1_000,
                "ms" => number,
                "s" => number * 1_000,
                "m" => number * 60_000,
                "h" => number * 3_600_000,
                _ => null,
            };
            if (millis is null)
            {
                return false;
            }

            total += millis.Value;
        }

        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>upstream: <c>nextStepWeight</c> (scheduler.go).</summary>
    public int NextStepWeight(int canaryWeight)
    {
        if (StepWeight > 0 || StepWeights.Count == 0)
        {
            return StepWeight;
        }

        var maxStep = TotalWeight - canaryWeight;
        if (maxStep == 0)
        {
            return 1;
        }

        if (canaryWeight == 0)
        {
            return Math.Min(maxStep, StepWeights[0]);
        }

        for (var i = 0; i < StepWeights.Count - 1; i++)
        {
            if (StepWeights[i] == canaryWeight)
            {
                return Math.Min(maxStep, StepWeights[i + 1] - canaryWeight);
            }
        }

        return maxStep;
    }

    /// <summary>The webhooks of one type in spec order (<c>rollout</c> also matches an empty type).</summary>
    public IEnumerable<CanaryWebhook> HooksOfType(string type) =>
        Webhooks.Where(w => type == "rollout"
            ? string.IsNullOrEmpty(w.Type) || w.Type == "rollout"
            : w.Type == type);

    /// <summary>The webhook type a gate runs, or null for <see cref="Gate.Metrics"/>.</summary>
    public static string? WebhookType(Gate gate) => gate switch
    {
        Gate.ConfirmRollout => "confirm-rollout",
        Gate.Rollback => "rollback",
        Gate.PreRollout => "pre-rollout",
        Gate.Rollout => "rollout",
        Gate.ConfirmTrafficIncrease => "confirm-traffic-increase",
        Gate.ConfirmPromotion => "confirm-promotion",
        _ => null,
    };

    /// <summary>Whether the gate has anything to run for this canary.</summary>
    public bool HasWork(Gate gate) =>
        gate == Gate.Metrics ? HasMetrics : HooksOfType(WebhookType(gate)!).Any();

    public bool IsMuted(string hookName, Gate gate) =>
        HooksOfType(WebhookType(gate)!).FirstOrDefault(w => w.Name == hookName)?.MuteAlert == true;
}
