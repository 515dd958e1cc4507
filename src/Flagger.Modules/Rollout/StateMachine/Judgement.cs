using System.Collections.Immutable;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>The gates and checks a tick may need, in the order upstream runs them.</summary>
internal enum Gate
{
    /// <summary>Webhooks of type <c>confirm-rollout</c>.</summary>
    ConfirmRollout,

    /// <summary>Webhooks of type <c>rollback</c>.</summary>
    Rollback,

    /// <summary>Webhooks of type <c>pre-rollout</c>.</summary>
    PreRollout,

    /// <summary>Webhooks of type <c>rollout</c> or empty type.</summary>
    Rollout,

    /// <summary>All <c>analysis.metrics</c> (builtin first, then templates/inline queries), first failure stops.</summary>
    Metrics,

    /// <summary>Webhooks of type <c>confirm-traffic-increase</c>.</summary>
    ConfirmTrafficIncrease,

    /// <summary>Webhooks of type <c>confirm-promotion</c>.</summary>
    ConfirmPromotion,
}

/// <summary>The result of one webhook call.</summary>
/// <param name="Name">The webhook's <c>name</c>.</param>
/// <param name="Succeeded">HTTP status ≤ 202.</param>
/// <param name="Error">Error text (response body or transport error) when not succeeded.</param>
internal sealed record HookResult(string Name, bool Succeeded, string? Error = null);

/// <summary>The outcome of one gate.</summary>
internal abstract record GateOutcome;

/// <summary>
/// Webhooks of one type, called in spec order. Gate types (confirm-*, pre-rollout, rollout): stop after the first
/// failure. Rollback hooks: stop after the first success.
/// </summary>
internal sealed record HooksOutcome(IReadOnlyList<HookResult> Results) : GateOutcome
{
    /// <summary>Every hook succeeded (gate types).</summary>
    public bool AllSucceeded => Results.All(r => r.Succeeded);

    /// <summary>The first failure, if any.</summary>
    public HookResult? FirstFailure => Results.FirstOrDefault(r => !r.Succeeded);

    /// <summary>The first success, if any (rollback hooks).</summary>
    public HookResult? FirstSuccess => Results.FirstOrDefault(r => r.Succeeded);

    public static HooksOutcome Of(params HookResult[] results) => new(results);
}

/// <summary>
/// The metric checks of a tick. <paramref name="Messages"/> are the Analysis module's event texts (all Warning, e.g.
/// <c>Halt podinfo.test advancement request-success-rate 55.00 &lt; 99</c>) and are emitted verbatim.
/// </summary>
internal sealed record MetricsOutcome(bool Passed, IReadOnlyList<string> Messages) : GateOutcome
{
    public static MetricsOutcome Pass { get; } = new(true, []);

    public static MetricsOutcome Fail(string message) => new(false, [message]);
}

/// <summary>The outcomes of the gates run so far in this tick. Extra outcomes are ignored.</summary>
internal sealed record Judgement(ImmutableDictionary<Gate, GateOutcome> Outcomes)
{
    public static Judgement None { get; } = new(ImmutableDictionary<Gate, GateOutcome>.Empty);

    public Judgement With(Gate gate, GateOutcome outcome) => new(Outcomes.SetItem(gate, outcome));

    public bool TryGet(Gate gate, out GateOutcome outcome) => Outcomes.TryGetValue(gate, out outcome!);
}
