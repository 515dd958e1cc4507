using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>The inputs of one tick.</summary>
/// <param name="Canary">The Canary as cached (spec, status, metadata name/namespace).</param>
/// <param name="Observation">What the reconciler observed this tick.</param>
/// <param name="Now">The tick's time (from <see cref="TimeProvider"/>); stamped on every status write.</param>
/// <param name="NewCookieValue">
/// A fresh value of 10 random letters (<c>[a-zA-Z]</c>, upstream <c>randSeq</c>, e.g.
/// <c>SessionAffinityCookies.RandomValue()</c>); generate one per tick. It is the first value
/// <c>SessionAffinityCookies.ForStep</c> draws (the canary cookie <c>&lt;cookieName&gt;=&lt;value&gt;</c> when the canary
/// has none yet), so tests stay deterministic.
/// </param>
/// <param name="NewPrimaryCookieValue">The second value drawn (the primary cookie <c>&lt;primaryCookieName&gt;=&lt;value&gt;</c>).</param>
internal sealed record TickInput(
    Canary Canary,
    Observation Observation,
    DateTimeOffset Now,
    string NewCookieValue,
    string NewPrimaryCookieValue);

/// <summary>What the machine returns: either it needs a gate's outcome first, or it has decided.</summary>
internal abstract record TickResult;

/// <summary>
/// Run <paramref name="Gate"/> (all webhooks of that type in spec order, or the metric checks) and call
/// <see cref="CanaryStateMachine.Tick"/> again with the outcome added to the judgement.
/// </summary>
/// <param name="Gate">The gate to run.</param>
/// <param name="PayloadPhase">The <c>phase</c> to put in the webhook payload.</param>
internal sealed record NeedJudgement(Gate Gate, CanaryPhase PayloadPhase) : TickResult;

/// <summary>The decision of one tick.</summary>
/// <param name="Actions">Effects in the order to apply them; contains at most one <see cref="WriteStatus"/>.</param>
/// <param name="ObserveDuration">Observe <c>flagger_canary_duration_seconds</c> for this tick (upstream: ticks that reached the analysis).</param>
/// <param name="Summary">A short explanation of the branch taken, for logs.</param>
internal sealed record Decision(IReadOnlyList<CanaryAction> Actions, bool ObserveDuration, string Summary) : TickResult
{
    /// <summary>The status this decision writes, or null when the status is unchanged.</summary>
    public CanaryStatus? Status => Actions.OfType<WriteStatus>().SingleOrDefault()?.Status;

    /// <summary>The Kubernetes events of this decision, in order.</summary>
    public IEnumerable<EmitEvent> Events => Actions.OfType<EmitEvent>();

    /// <summary>The alerts of this decision, in order.</summary>
    public IEnumerable<SendAlert> Alerts => Actions.OfType<SendAlert>();
}
