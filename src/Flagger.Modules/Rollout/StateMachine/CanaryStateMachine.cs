using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>
/// The pure decision core of one canary tick (upstream: pkg/controller/scheduler.go <c>advanceCanary</c>,
/// controller.go <c>syncHandler</c>, finalizer.go). It reads a Canary, an <see cref="Observation"/> and the
/// <see cref="Judgement"/> of the gates run so far, and returns either <see cref="NeedJudgement"/> (run that gate, add
/// its outcome, call again) or a <see cref="Decision"/> (ordered actions, one status write). No I/O, no clock, no
/// randomness: the same inputs always give the same result.
/// </summary>
/// <remarks>
/// Usage by the reconciler:
/// <code>
/// var judgement = Judgement.None;
/// while (machine.Tick(input, judgement) is NeedJudgement need)
///     judgement = judgement.With(need.Gate, await RunGateAsync(need, ct));
/// </code>
/// The phases live in partial files: this one (entry and tick skeleton), <c>.Initialize</c>, <c>.Advance</c> (the guards
/// in upstream's order), <c>.Strategies</c> (canary, A/B, blue/green, mirroring, promotion), <c>.Gates</c>,
/// <c>.Rollback</c>, <c>.Deletion</c>, <c>.Routes</c> and <c>.Status</c>. The spec is validated by
/// <c>Shared/Crd/Validation/CanaryValidator</c> before a tick; the machine does not validate again.
/// Deviations from upstream, all deliberate: rollback on the tick where <c>failedChecks</c> reaches the threshold
/// (ARCHITECTURE §9); a foreign-format <c>lastAppliedSpec</c> is adopted once without a run (§9); the Failed phase does
/// not rewrite its status every tick; traffic is never routed to a canary that is scaled to zero or not ready (a failed
/// promotion with a broken canary keeps traffic on the primary); Promoting with <c>stepWeightPromotion</c> and no canary
/// traffic left finalises instead of stalling; a canary progress deadline also sends the documented
/// <c>Progress deadline exceeded</c> alert; a rollback during initialization does not touch routes that do not exist yet;
/// deletion is handled before anything else, so an invalid canary can still be deleted.
/// </remarks>
/// <param name="defaultProvider">The global <c>--mesh-provider</c>, used when <c>spec.provider</c> is empty.</param>
internal sealed partial class CanaryStateMachine(string defaultProvider = CanaryDefaults.MeshProvider)
{
    /// <summary>The finalizer added with <c>revertOnDeletion</c>.</summary>
    public const string Finalizer = "finalizer.flagger.app";

    /// <summary>Decides one tick; see the class remarks for the gate loop.</summary>
    public TickResult Tick(TickInput input, Judgement judgement)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(judgement);
        return new Run(input, judgement, CanaryDefaults.Resolve(input.Canary, defaultProvider)).Execute();
    }

    /// <summary>The phase as upstream spells it in <c>status.phase</c> (empty for <see cref="CanaryPhase.None"/>).</summary>
    public static string PhaseText(CanaryPhase phase) => phase == CanaryPhase.None ? "" : phase.ToString();

    /// <summary>Parses <c>status.phase</c>; empty or unknown text is <see cref="CanaryPhase.None"/>.</summary>
    public static CanaryPhase ParsePhase(string? text) =>
        !string.IsNullOrEmpty(text) && Enum.TryParse<CanaryPhase>(text, ignoreCase: false, out var phase) && phase != CanaryPhase.None
            ? phase
            : CanaryPhase.None;

    /// <summary>One tick: the inputs, the status being built and the actions decided so far.</summary>
    private sealed partial class Run(TickInput input, Judgement judgement, CanarySettings settings)
    {
        private const int TotalWeight = CanaryDefaults.TotalWeight;

        private readonly Canary _canary = input.Canary;
        private readonly Observation _obs = input.Observation;
        private readonly CanaryStatus _status = Clone(input.Canary.Status);
        private readonly List<CanaryAction> _actions = [];
        private readonly StatusMarker _marker = new();
        private CanarySettings _settings = settings;
        private CanaryPhase _phase = ParsePhase(input.Canary.Status?.Phase);
        private bool _dirty;
        private bool _observeDuration;
        private NeedJudgement? _need;

        private string Name => _canary.Metadata.Name ?? "";
        private string Ns => _canary.Metadata.NamespaceProperty ?? "";
        private string Target => _canary.Spec.TargetRef?.Name ?? "";
        private string Kind => _canary.Spec.TargetRef?.Kind ?? "";
        private string NameNs => $"{Name}.{Ns}";
        private string TargetNs => $"{Target}.{Ns}";
        private int FailedChecks => _status.FailedChecks ?? 0;
        private int Iterations => _status.Iterations ?? 0;

        /// <summary>The <c>kubernetes</c> provider: the only catalog row without progressive traffic (blue/green only).</summary>
        private bool IsKubernetesProvider => _settings.Capabilities?.ProgressiveTraffic == false;

        private bool CanaryCanTakeTraffic =>
            _obs.Canary.Readiness == ReadinessState.Ready && _obs.Canary.Scale != ScaleState.Zero;

        public TickResult Execute()
        {
            var spec = _canary.Spec;

            // upstream: controller.go syncHandler — deletion is handled before anything else
            if (_obs.DeletionRequested)
            {
                return spec.RevertOnDeletion == true && _obs.HasFinalizer
                    ? Finalize()
                    : Finish("deleted: left to owner-reference garbage collection");
            }

            if (spec.RevertOnDeletion == true && !_obs.HasFinalizer)
            {
                Add(new AddFinalizer());
            }
            else if (spec.RevertOnDeletion != true && _obs.HasFinalizer)
            {
                Add(new RemoveFinalizer());
            }

            // upstream: controller.go setPhaseInitializing — new canaries get the Initializing condition
            if (_status.Conditions is not { Count: > 0 })
            {
                SetPhaseOnly(CanaryPhase.Initializing);
            }

            if (spec.Suspend == true)
            {
                Info("skipping canary run as object is suspended");
                return Finish("suspended");
            }

            if (_obs.BlockingError is { } blocking)
            {
                Warn(blocking);
                return Finish("blocked: " + blocking);
            }

            if (string.IsNullOrEmpty(_obs.TargetRevision))
            {
                // never compare against an empty hash: it would look like a new revision on every tick
                Warn($"{Kind} {TargetNs} revision could not be computed");
                return Finish("blocked: no target revision");
            }

            return Initialize() ?? Advance();
        }
    }

    // placeholder for the position of the status write inside the action list
    private sealed record StatusMarker : CanaryAction;
}
