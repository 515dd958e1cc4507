using System.Diagnostics;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Shared.Telemetry;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// One step of one canary: observe from the caches, run the gates the state machine asks for, decide, then carry out
/// the decision's actions in order (one status write). An action that fails before the status write ends the step with
/// a Warning event and no status change, so the next step decides again from fresh observations; progress lives only
/// in <c>Canary.status</c>, so a restart at any point resumes.
/// </summary>
internal sealed partial class CanaryReconciler(
    IKubeCache cache,
    CanaryObserver observer,
    GateRunner gates,
    ActionApplier applier,
    CanaryNotifier notifier,
    IKubeWriter writer,
    IOptions<RolloutOptions> options,
    FlaggerMetrics metrics,
    TimeProvider time,
    ILogger<CanaryReconciler> logger)
{
    /// <summary>The condition that carries spec validation errors (absent while the spec is valid).</summary>
    public const string ValidatedCondition = "Validated";

    private static readonly TimeSpan RetrySoon = TimeSpan.FromSeconds(2);
    private readonly CanaryStateMachine _machine = new(options.Value.MeshProvider);

    /// <summary>Runs one step; returns the delay to the next interval step, or null when the canary is gone.</summary>
    public async Task<TimeSpan?> StepAsync(CanaryKey key, StepTrigger trigger, CancellationToken cancellationToken)
    {
        var canary = cache.Get<Canary>(key.Namespace, key.Name);
        if (canary is null)
        {
            return null;
        }

        var interval = IntervalOf(canary);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["canary"] = key.ToString() });
        try
        {
            if (canary.Metadata.DeletionTimestamp is null && !await IsValidAsync(canary, cancellationToken))
            {
                return interval;
            }

            if (trigger == StepTrigger.Wake && !await NeedsReactionAsync(canary, cancellationToken))
            {
                return interval;
            }

            await TickAsync(canary, cancellationToken);
            return interval;
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // Someone changed the canary since the cache saw it: decide again from the newer version.
            Log.Conflict(logger, key.ToString(), e.Message);
            return RetrySoon;
        }
    }

    private async Task TickAsync(Canary canary, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var observation = await observer.ObserveAsync(canary, cancellationToken);
        var input = new TickInput(canary, observation, time.GetUtcNow(), SessionAffinityCookies.RandomValue(), SessionAffinityCookies.RandomValue());
        var judgement = Judgement.None;
        TickResult result;
        while ((result = _machine.Tick(input, judgement)) is NeedJudgement need)
        {
            judgement = judgement.With(need.Gate, await gates.RunAsync(canary, need, cancellationToken));
        }

        var decision = (Decision)result;
        Log.Decided(logger, decision.Summary, decision.Actions.Count);
        var statusWritten = false;
        var current = canary;
        foreach (var action in decision.Actions)
        {
            try
            {
                current = await applier.ApplyAsync(current, action, decision, cancellationToken);
                statusWritten |= action is WriteStatus;
            }
            catch (KubeApiException e) when (e.IsConflict && !statusWritten)
            {
                throw;
            }
            catch (Exception e) when (e is KubeApiException or Workloads.Contracts.WorkloadException or RoutingException)
            {
                await notifier.EventAsync(current, warning: true, e.Message, cancellationToken);
                if (!statusWritten)
                {
                    // Before the status write: stop; the next step decides again.
                    return;
                }
            }
        }

        if (decision.ObserveDuration)
        {
            metrics.ObserveDuration(canary.Spec.TargetRef?.Name ?? canary.Metadata.Name, canary.Metadata.NamespaceProperty, Stopwatch.GetElapsedTime(started));
        }
    }

    // A watch event wakes a canary early; react only to what upstream would act on at once: a new canary, deletion, or a
    // new revision/config of its target. Anything else waits for the interval, so analysis never advances early.
    private async Task<bool> NeedsReactionAsync(Canary canary, CancellationToken cancellationToken)
    {
        if (canary.Metadata.DeletionTimestamp is not null)
        {
            return true;
        }

        var phase = CanaryStateMachine.ParsePhase(canary.Status?.Phase);
        if (phase is CanaryPhase.None or CanaryPhase.Initializing)
        {
            return true;
        }

        if (phase is not (CanaryPhase.Initialized or CanaryPhase.Succeeded or CanaryPhase.Failed or CanaryPhase.Progressing or CanaryPhase.WaitingPromotion))
        {
            return false;
        }

        var observed = await observer.ObserveRevisionAsync(canary, cancellationToken);
        return observed is { } o && RevisionComparer.Compare(
            canary.Status?.LastAppliedSpec, canary.Status?.LastPromotedSpec, canary.Status?.TrackedConfigs, o.Revision, o.Configs) != RevisionChange.Unchanged;
    }

    // upstream: verifyCanary in pkg/controller/controller.go, plus our CanaryValidator. An invalid spec gets a Warning
    // event naming the field and a Validated=False condition; the condition goes away once the spec is fixed.
    private async Task<bool> IsValidAsync(Canary canary, CancellationToken cancellationToken)
    {
        var errors = CanaryValidator.Validate(canary, new ValidationOptions(options.Value.NoCrossNamespaceRefs, options.Value.MeshProvider));
        var message = string.Join("; ", errors.Select(e => e.ToString()));
        var existing = canary.Status?.Conditions?.FirstOrDefault(c => c.Type == ValidatedCondition);
        if (errors.Count == 0)
        {
            if (existing is not null)
            {
                await WriteConditionsAsync(canary, canary.Status!.Conditions!.Where(c => c.Type != ValidatedCondition).ToList(), cancellationToken);
            }

            return true;
        }

        await notifier.EventAsync(canary, warning: true, $"invalid canary spec: {message}", cancellationToken);
        if (existing?.Message != message)
        {
            var now = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            var conditions = (canary.Status?.Conditions ?? []).Where(c => c.Type != ValidatedCondition).ToList();
            conditions.Add(new CanaryCondition
            {
                Type = ValidatedCondition,
                Status = "False",
                Reason = "InvalidSpec",
                Message = message,
                LastTransitionTime = now,
                LastUpdateTime = now,
            });
            await WriteConditionsAsync(canary, conditions, cancellationToken);
        }

        return false;
    }

    private async Task WriteConditionsAsync(Canary canary, List<CanaryCondition> conditions, CancellationToken cancellationToken)
    {
        var updated = KubernetesJson.Deserialize<Canary>(KubernetesJson.Serialize(canary));
        updated.Status ??= new CanaryStatus();
        updated.Status.Conditions = conditions;
        await writer.ReplaceStatusAsync(updated, cancellationToken);
    }

    private TimeSpan IntervalOf(Canary canary)
    {
        var interval = GoDuration.TryParse(canary.Spec.Analysis?.Interval, out var parsed) ? parsed : CanaryDefaults.AnalysisInterval;
        return interval < options.Value.MinAnalysisInterval ? options.Value.MinAnalysisInterval : interval;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "{Summary} ({Actions} actions)")]
        public static partial void Decided(ILogger logger, string summary, int actions);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Canary {Canary} changed while stepping, retrying: {Error}")]
        public static partial void Conflict(ILogger logger, string canary, string error);
    }
}
