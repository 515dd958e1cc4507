using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks.Contracts;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Runs the gate the state machine asks for: a type of webhooks (in spec order, stopping at the first failure; rollback
/// hooks stop at the first success) or the metric checks, and turns the outcome into the machine's data. Gates run as
/// <see cref="GateOperations"/> outside the step: a gate that does not finish at once ends the step with
/// <see cref="GatePendingException"/> instead of holding a step slot, and its completion wakes the canary.
/// </summary>
// upstream: pkg/controller/scheduler_hooks.go, scheduler_metrics.go
internal sealed class GateRunner(IWebhookRunner webhooks, ICanaryAnalyzer analyzer, CanaryTelemetry telemetry, GateOperations operations)
{
    /// <summary>Runs (or takes the finished result of) the gate <paramref name="need"/> asks for.</summary>
    /// <exception cref="GatePendingException">The gate's work is still running.</exception>
    public Task<GateOutcome> RunAsync(StepContext step, NeedJudgement need, CancellationToken cancellationToken)
    {
        var canary = step.Canary;
        var key = step.Key;

        // The canary's revision is part of the identity: a new revision never takes the outcome of the previous one.
        var id = $"{need.Gate}/{need.PayloadPhase}/{canary.Metadata.Generation}/{canary.Status?.LastAppliedSpec}";
        var outcome = need.Gate switch
        {
            Gate.Metrics => operations.Run(key, id, "metric checks", async ct => await AnalyzeAsync(canary, ct)),
            Gate.Rollback => operations.Run(key, id, Describe(canary, WebhookTypes.Rollback),
                async ct => await HooksAsync(canary, WebhookTypes.Rollback, need.PayloadPhase, stopOnSuccess: true, ct)),
            _ => operations.Run(key, id, Describe(canary, HookType(need.Gate)),
                async ct => await HooksAsync(canary, HookType(need.Gate), need.PayloadPhase, stopOnSuccess: false, ct)),
        };
        return Task.FromResult(outcome is AnalysisOutcome analysis ? Metrics(step, analysis.Result) : outcome);
    }

    /// <summary>Gate work of a canary finished outside its step: wake the canary.</summary>
    public event Action<CanaryKey>? Completed
    {
        add => operations.Completed += value;
        remove => operations.Completed -= value;
    }

    /// <summary>The step decided: the gate outcomes it used are spent.</summary>
    public void Consume(CanaryKey key) => operations.Consume(key);

    /// <summary>True when gate work of the canary finished since its last decision.</summary>
    public bool HasResults(CanaryKey key) => operations.HasResults(key);

    /// <summary>Runs post-rollout hooks, stopping at the first failure; returns each hook's result.</summary>
    public Task<HooksOutcome> PostRolloutAsync(StepContext step, CanaryPhase phase, CancellationToken cancellationToken) =>
        HooksAsync(step.Canary, WebhookTypes.PostRollout, phase, stopOnSuccess: false, cancellationToken);

    private async Task<HooksOutcome> HooksAsync(Canary canary, string type, CanaryPhase phase, bool stopOnSuccess, CancellationToken cancellationToken)
    {
        var results = new List<HookResult>();
        foreach (var hook in WebhookTypes.HooksOfType(canary, type))
        {
            var outcome = await webhooks.RunAsync(canary, hook, phase, cancellationToken);
            results.Add(new HookResult(outcome.Name, outcome.Success, outcome.Error));
            if (outcome.Success == stopOnSuccess)
            {
                break;
            }
        }

        return new HooksOutcome(results);
    }

    private async Task<GateOutcome> AnalyzeAsync(Canary canary, CancellationToken cancellationToken) =>
        new AnalysisOutcome(await analyzer.AnalyzeAsync(canary, cancellationToken));

    private MetricsOutcome Metrics(StepContext step, CanaryAnalysisResult result)
    {
        foreach (var metric in result.Metrics)
        {
            if (metric.AnalysisValue is { } value)
            {
                telemetry.MetricAnalysis(step, metric.Name, value);
            }
        }

        // upstream halts at the first failing metric and reports that one.
        return result.FirstFailure is { } failure
            ? MetricsOutcome.Fail(failure.EventMessage ?? failure.Message ?? $"metric {failure.Name} failed")
            : MetricsOutcome.Pass;
    }

    // What a step waits on while hooks of one type run: the hook names, for the status and the event.
    private static string Describe(Canary canary, string type)
    {
        var names = WebhookTypes.HooksOfType(canary, type).Select(h => h.Name).ToList();
        return $"{type} webhook{(names.Count == 1 ? "" : "s")} {string.Join(", ", names)}";
    }

    // The analyzer's result travels through the operation; the step turns it into the machine's data (and the metric
    // series) when it takes it.
    private sealed record AnalysisOutcome(CanaryAnalysisResult Result) : GateOutcome;

    private static string HookType(Gate gate) => gate switch
    {
        Gate.ConfirmRollout => WebhookTypes.ConfirmRollout,
        Gate.PreRollout => WebhookTypes.PreRollout,
        Gate.Rollout => WebhookTypes.Rollout,
        Gate.ConfirmTrafficIncrease => WebhookTypes.ConfirmTrafficIncrease,
        Gate.ConfirmPromotion => WebhookTypes.ConfirmPromotion,
        _ => throw new ArgumentOutOfRangeException(nameof(gate), gate, "not a webhook gate"),
    };
}
