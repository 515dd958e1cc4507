using System.Globalization;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// One step of one canary: build the step's context (canary, settings, validation, target controller, routers), observe
/// from the caches, run the gates the state machine asks for, decide, then carry out the decision's actions in order
/// (one status write, which also carries the <c>Validated</c> condition). Progress lives only in <c>Canary.status</c>,
/// so a restart at any point resumes.
/// </summary>
internal sealed partial class CanaryReconciler(
    StepContextFactory steps,
    CanaryObserver observer,
    GateRunner gates,
    ActionApplier applier,
    IOptions<RolloutOptions> options,
    ILogger<CanaryReconciler> logger)
{
    private static readonly TimeSpan RetrySoon = TimeSpan.FromSeconds(2);
    private static readonly Decision Unchanged = new([], ObserveDuration: false, "woken: nothing to react to");
    private readonly CanaryStateMachine _machine = new(options.Value.MeshProvider);

    /// <summary>Runs one step; returns the delay to the next interval step, or null when the canary is gone.</summary>
    public async Task<TimeSpan?> StepAsync(CanaryKey key, StepTrigger trigger, CancellationToken cancellationToken)
    {
        var step = await steps.CreateAsync(key, cancellationToken);
        if (step is null)
        {
            return null;
        }

        var interval = IntervalOf(step.Canary);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["canary"] = key.ToString() });
        try
        {
            var decision = step.InvalidSpec is { } invalid
                ? InvalidSpec(step, invalid)
                : trigger == StepTrigger.Wake && !await NeedsReactionAsync(step, cancellationToken)
                    ? Unchanged
                    : await DecideAsync(step, cancellationToken);
            await applier.ApplyAsync(step, WithWarnings(step, WithValidatedCleared(step, decision)), cancellationToken);
            return interval;
        }
        catch (GatePendingException pending)
        {
            // A gate's work runs outside the step; its completion wakes the canary.
            Log.Waiting(logger, key.ToString(), pending.Description);
            await applier.ApplyAsync(step, Waiting(step, pending), cancellationToken);
            return interval;
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // Someone changed the canary since the cache saw it: decide again from the newer version.
            Log.Conflict(logger, key.ToString(), e.Message);
            return RetrySoon;
        }
    }

    private async Task<Decision> DecideAsync(StepContext step, CancellationToken cancellationToken)
    {
        var observation = await observer.ObserveAsync(step, cancellationToken);
        var input = new TickInput(step.Canary, observation, step.Now, SessionAffinityCookies.RandomValue(), SessionAffinityCookies.RandomValue());
        var judgement = Judgement.None;
        TickResult result;
        while ((result = _machine.Tick(input, judgement)) is NeedJudgement need)
        {
            judgement = judgement.With(need.Gate, await gates.RunAsync(step, need, cancellationToken));
        }

        var decision = (Decision)result;
        gates.Consume(step.Key);
        Log.Decided(logger, decision.Summary, decision.Actions.Count);
        return WithWaitingCleared(step, decision);
    }

    /// <summary>The canary was deleted: finished gate outcomes it never took are dropped.</summary>
    public void Forget(CanaryKey key) => gates.Consume(key);

    /// <summary>Gate work of a canary finished outside its step: wake the canary so that a step takes the result.</summary>
    public event Action<CanaryKey>? GateCompleted
    {
        add => gates.Completed += value;
        remove => gates.Completed -= value;
    }

    // The step waits on a gate. Work that outlives the step it started in is shown in status.waitingFor and a Normal
    // event (once per wait); a short wait (started in this step, woken at its completion) writes nothing.
    private static Decision Waiting(StepContext step, GatePendingException pending)
    {
        var waitingFor = $"{pending.Description} (running since {pending.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)})";
        var current = step.Canary.Status?.WaitingFor;
        if (pending.StartedInThisStep || current == waitingFor)
        {
            return new Decision([], ObserveDuration: false, $"waiting for {pending.Description}");
        }

        var status = KubernetesJson.Deserialize<CanaryStatus>(KubernetesJson.Serialize(step.Canary.Status ?? new CanaryStatus()));
        status.WaitingFor = waitingFor;
        var message = $"Waiting for {waitingFor} to finish";
        return new Decision([new EmitEvent(EventType.Normal, message), new WriteStatus(status)], ObserveDuration: false, message);
    }

    // A decision was reached, so nothing is waited on any more: status.waitingFor goes (the machine's status writes never
    // carry it; a decision without one gets a write that drops it).
    private static Decision WithWaitingCleared(StepContext step, Decision decision)
    {
        if (step.Canary.Status?.WaitingFor is null || decision.Status is not null)
        {
            return decision;
        }

        var status = KubernetesJson.Deserialize<CanaryStatus>(KubernetesJson.Serialize(step.Canary.Status));
        status.WaitingFor = null;
        return decision with { Actions = [.. decision.Actions, new WriteStatus(status)] };
    }

    // A watch event wakes a canary early; react only to what upstream would act on at once: a new canary, deletion, or a
    // new revision/config of its target. Anything else waits for the interval, so analysis never advances early.
    private async Task<bool> NeedsReactionAsync(StepContext step, CancellationToken cancellationToken)
    {
        var canary = step.Canary;
        if (canary.Metadata.DeletionTimestamp is not null)
        {
            return true;
        }

        var phase = CanaryStateMachine.ParsePhase(canary.Status?.Phase);
        if (phase is CanaryPhase.None or CanaryPhase.Initializing || gates.HasResults(step.Key))
        {
            return true;
        }

        if (phase is not (CanaryPhase.Initialized or CanaryPhase.Succeeded or CanaryPhase.Failed or CanaryPhase.Progressing or CanaryPhase.WaitingPromotion))
        {
            return false;
        }

        var observed = await observer.ObserveRevisionAsync(step, cancellationToken);
        return observed is { } o && RevisionComparer.Compare(
            canary.Status?.LastAppliedSpec, canary.Status?.LastPromotedSpec, canary.Status?.TrackedConfigs, o.Revision, o.Configs) != RevisionChange.Unchanged;
    }

    // An invalid spec gets a Warning event naming the field at every step and, when the errors changed, a
    // Validated=False condition; nothing else happens to this canary, the others carry on.
    private static Decision InvalidSpec(StepContext step, string message)
    {
        if (step.Unreadable && step.Canary.Metadata.DeletionTimestamp is not null)
        {
            return UnreadableDeletion(step, message);
        }

        var warning = new EmitEvent(EventType.Warning, $"invalid canary spec: {message}");
        return ValidatedCondition.Find(step.Canary.Status)?.Message == message
            ? new Decision([warning], ObserveDuration: false, "invalid spec")
            : new Decision([warning, new WriteStatus(ValidatedCondition.Invalid(step.Canary.Status, message, step.Now))], ObserveDuration: false, "invalid spec");
    }

    // A canary whose spec cannot be read is being deleted: without a spec there is nothing to revert, so our finalizer goes
    // (else the deletion would hang forever), with a Warning that says what was not reverted.
    private static Decision UnreadableDeletion(StepContext step, string message) =>
        step.Canary.Metadata.Finalizers?.Contains(CanaryStateMachine.Finalizer) == true
            ? new Decision(
                [
                    new EmitEvent(EventType.Warning, $"invalid canary spec: {message}; removing the finalizer without reverting the target and routes"),
                    new RemoveFinalizer(),
                ],
                ObserveDuration: false,
                "unreadable spec, deleted")
            : new Decision([], ObserveDuration: false, "unreadable spec, deleted");

    // The spec is valid again: the status write of this step drops the Validated condition (the step's canary no longer
    // has it); a decision that writes no status gets that write added.
    private static Decision WithValidatedCleared(StepContext step, Decision decision) =>
        step.ClearsValidatedCondition && decision.Status is null
            ? decision with { Actions = [.. decision.Actions, new WriteStatus(step.Canary.Status!)] }
            : decision;

    // Settings that do nothing (fields only another provider reads) are reported once per spec change, first in the step.
    private static Decision WithWarnings(StepContext step, Decision decision) =>
        step.Warnings is { } warnings
            ? decision with { Actions = [new EmitEvent(EventType.Warning, $"ignored canary settings: {warnings}"), .. decision.Actions] }
            : decision;

    private TimeSpan IntervalOf(Canary canary)
    {
        var interval = GoDuration.TryParse(canary.Spec.Analysis?.Interval, out var parsed) ? parsed : CanaryDefaults.AnalysisInterval;
        return interval < options.Value.MinAnalysisInterval ? options.Value.MinAnalysisInterval : interval;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "{Summary} ({Actions} actions)")]
        public static partial void Decided(ILogger logger, string summary, int actions);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Canary {Canary} waits for {Work}; its completion wakes the canary")]
        public static partial void Waiting(ILogger logger, string canary, string work);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Canary {Canary} changed while stepping, retrying: {Error}")]
        public static partial void Conflict(ILogger logger, string canary, string error);
    }
}
