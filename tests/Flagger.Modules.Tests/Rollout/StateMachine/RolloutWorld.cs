using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

/// <summary>
/// A tiny deterministic cluster for multi-tick simulations: applies each decision's actions to routes, target scale,
/// primary revision, finalizers and the Canary status, and builds the next tick's observation from that state.
/// Workloads become ready one tick after they are changed (like a real rollout), unless a test overrides readiness.
/// </summary>
internal sealed class RolloutWorld
{
    public RolloutWorld(Canary canary, string provider = "istio", string revision = Fx.Rev1)
    {
        Canary = canary;
        Provider = provider;
        TargetRevision = revision;
        PrimaryRevision = null;
    }

    /// <summary>A world where the canary was initialized and promoted <see cref="Fx.Rev1"/>, and the target now runs <paramref name="revision"/>.</summary>
    public static RolloutWorld SettledOn(Canary canary, string revision = Fx.Rev2, string provider = "istio")
    {
        canary.Status = Fx.Settled();
        return new RolloutWorld(canary, provider, revision)
        {
            PrimaryExists = true,
            PrimaryRevision = Fx.Rev1,
            CanaryScale = ScaleState.Zero,
        };
    }

    public Canary Canary { get; }
    public string Provider { get; }
    public string TargetRevision { get; set; }
    public Dictionary<string, string>? Configs { get; set; }
    public string? PrimaryRevision { get; private set; }
    public RouteObservation Routes { get; private set; } = new(100, 0, false);
    public ScaleState CanaryScale { get; private set; } = ScaleState.Up;
    public bool PrimaryExists { get; private set; }
    public bool HasFinalizer { get; private set; }
    public bool DeletionRequested { get; set; }
    public bool Gone { get; private set; }
    public int Tick { get; private set; }
    public int PostRolloutRuns { get; private set; }
    public List<Decision> History { get; } = [];
    public List<string> Log { get; } = [];

    /// <summary>When true (default) a workload that was changed is not ready on the next tick, like a real rollout.</summary>
    public bool RolloutsTakeATick { get; set; } = true;

    /// <summary>Simulates a crash between the actions and the status write on these ticks.</summary>
    public HashSet<int> CrashBeforeStatusWrite { get; } = [];

    /// <summary>Override readiness (e.g. progress deadline); null = automatic.</summary>
    public WorkloadObservation? PrimaryOverride { get; set; }
    public WorkloadObservation? CanaryOverride { get; set; }

    /// <summary>Gate outcomes per tick; default pass.</summary>
    public Func<int, Gate, GateOutcome?> Gates { get; set; } = (_, _) => null;

    private bool _canaryChangedLastTick;
    private bool _primaryChangedLastTick;

    public CanaryStatus Status => Canary.Status ?? new CanaryStatus();
    public CanaryPhase Phase => CanaryStateMachine.ParsePhase(Canary.Status?.Phase);

    public RouteObservation ObservedRoutes => Provider == "kubernetes"
        ? (Status.Iterations ?? 0) > 0 ? new(0, 100, false) : new(100, 0, false)
        : Routes;

    public Decision Step()
    {
        Tick++;
        var canaryReady = _canaryChangedLastTick
            ? new WorkloadObservation(ReadinessState.NotReady, "podinfo.test not ready: waiting for rollout to finish", CanaryScale)
            : new WorkloadObservation(ReadinessState.Ready, null, CanaryScale);
        var primaryReady = !PrimaryExists || _primaryChangedLastTick
            ? new WorkloadObservation(ReadinessState.NotReady, "podinfo-primary.test not ready: waiting for rollout to finish")
            : WorkloadObservation.ReadyUp;
        var obs = new Observation
        {
            DeletionRequested = DeletionRequested,
            HasFinalizer = HasFinalizer,
            TargetRevision = TargetRevision,
            TrackedConfigs = Configs,
            Routes = ObservedRoutes,
            Primary = PrimaryOverride ?? primaryReady,
            Canary = CanaryOverride is null ? canaryReady : CanaryOverride with { Scale = CanaryScale },
        };
        _canaryChangedLastTick = false;
        _primaryChangedLastTick = false;
        if (!RolloutsTakeATick && !PrimaryExists)
        {
            obs = obs with { Primary = PrimaryOverride ?? new WorkloadObservation(ReadinessState.NotReady, "podinfo-primary.test not found") };
        }

        var tick = Tick;
        var decision = Fx.Decide(
            new TickInput(Canary, obs, Fx.T0.AddMinutes(tick), $"canary{tick:D5}", $"primar{tick:D5}"),
            gate => Gates(tick, gate) ?? AllPass(gate),
            provider: Provider);
        Apply(decision, obs);
        History.Add(decision);
        Log.Add($"T{tick} {Phase} w={Status.CanaryWeight} i={Status.Iterations} f={Status.FailedChecks} routes={Routes.PrimaryWeight}/{Routes.CanaryWeight}{(Routes.Mirrored ? "m" : "")} :: {decision.Summary}");
        return decision;
    }

    /// <summary>Steps at least once, then until <paramref name="done"/>.</summary>
    public void StepUntil(Func<RolloutWorld, bool> done, int maxTicks = 60)
    {
        var i = 0;
        do
        {
            Step();
        }
        while (++i < maxTicks && !done(this));

        Assert.True(done(this), "condition not reached:\n" + string.Join("\n", Log));
    }

    /// <summary>Every webhook of the gate's type succeeds; metrics pass.</summary>
    private GateOutcome AllPass(Gate gate)
    {
        if (gate.WebhookType() is null)
        {
            return MetricsOutcome.Pass;
        }

        var hooks = CanaryDefaults.Resolve(Canary, Provider).HooksOf(gate);
        return new HooksOutcome(hooks.Select(h => new HookResult(h.Name, true)).ToList());
    }

    public IEnumerable<string> AllEvents => History.SelectMany(d => d.Events).Select(e => e.Message);

    private void Apply(Decision decision, Observation obs)
    {
        foreach (var action in decision.Actions)
        {
            switch (action)
            {
                case SetRoutes r:
                    Assert.False(r.CanaryWeight > 0 && CanaryScale == ScaleState.Zero, $"T{Tick}: traffic routed to a canary scaled to zero");
                    Assert.False((r.CanaryWeight > 0 || r.Mirrored) && obs.Canary.Readiness != ReadinessState.Ready, $"T{Tick}: traffic routed to a canary that is not ready");
                    if (Provider != "kubernetes")
                    {
                        Routes = new RouteObservation(r.PrimaryWeight, r.CanaryWeight, r.Mirrored);
                    }

                    break;
                case ScaleTargetToZero:
                    CanaryScale = ScaleState.Zero;
                    break;
                case ScaleTargetUp or RevertTarget:
                    if (CanaryScale != ScaleState.Up)
                    {
                        _canaryChangedLastTick = RolloutsTakeATick;
                    }

                    CanaryScale = ScaleState.Up;
                    break;
                case EnsurePrimaryWorkload when !PrimaryExists:
                    PrimaryExists = true;
                    PrimaryRevision = TargetRevision;
                    _primaryChangedLastTick = RolloutsTakeATick;
                    break;
                case PromoteTarget p:
                    PrimaryRevision = p.Revision;
                    _primaryChangedLastTick = RolloutsTakeATick;
                    break;
                case AddFinalizer:
                    HasFinalizer = true;
                    break;
                case RemoveFinalizer:
                    HasFinalizer = false;
                    Gone = DeletionRequested;
                    break;
                case WriteStatus w when !CrashBeforeStatusWrite.Contains(Tick):
                    Canary.Status = w.Status;
                    break;
                case WriteStatus:
                    return; // crashed: nothing after the status write happens either
                case RunPostRolloutHooks:
                    PostRolloutRuns++;
                    break;
            }
        }
    }
}
