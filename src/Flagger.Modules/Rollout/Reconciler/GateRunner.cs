using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks.Contracts;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Runs the gate the state machine asks for: a type of webhooks (in spec order, stopping at the first failure; rollback
/// hooks stop at the first success) or the metric checks, and turns the outcome into the machine's data.
/// </summary>
// upstream: pkg/controller/scheduler_hooks.go, scheduler_metrics.go
internal sealed class GateRunner(IWebhookRunner webhooks, ICanaryAnalyzer analyzer, CanaryTelemetry telemetry)
{
    public async Task<GateOutcome> RunAsync(StepContext step, NeedJudgement need, CancellationToken cancellationToken) => need.Gate switch
    {
        Gate.Metrics => await MetricsAsync(step, cancellationToken),
        Gate.Rollback => await HooksAsync(step.Canary, WebhookTypes.Rollback, need.PayloadPhase, stopOnSuccess: true, cancellationToken),
        _ => await HooksAsync(step.Canary, HookType(need.Gate), need.PayloadPhase, stopOnSuccess: false, cancellationToken),
    };

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

    private async Task<MetricsOutcome> MetricsAsync(StepContext step, CancellationToken cancellationToken)
    {
        var result = await analyzer.AnalyzeAsync(step.Canary, cancellationToken);
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
