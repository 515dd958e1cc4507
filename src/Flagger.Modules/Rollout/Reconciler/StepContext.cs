using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// What one step of one canary works with, resolved once when the step starts (<see cref="StepContextFactory"/>):
/// the canary, its <see cref="CanarySettings"/>, the spec validation verdict, the step's clock, the target controller
/// and the routers. The observer, the gates, the actions and the notifier take it instead of resolving again.
/// </summary>
/// <remarks>
/// The controller and routers are created on first use, at most once per step: an invalid canary never needs them. A
/// factory error (unsupported kind or provider) is kept and thrown again at every use, exactly as creating them again
/// would, so a failing action still ends the step with that message.
/// </remarks>
internal sealed class StepContext
{
    private readonly Lazy<ITargetController> _target;
    private readonly Lazy<ITrafficRouter> _trafficRouter;
    private readonly Lazy<IServiceRouter> _serviceRouter;

    public StepContext(
        Canary canary,
        CanarySettings settings,
        string? invalidSpec,
        bool clearsValidatedCondition,
        bool unreadable,
        DateTimeOffset now,
        long startedAt,
        ITargetControllerFactory workloads,
        IRoutingFactory routing)
    {
        Canary = canary;
        Settings = settings;
        InvalidSpec = invalidSpec;
        ClearsValidatedCondition = clearsValidatedCondition;
        Unreadable = unreadable;
        Now = now;
        StartedAt = startedAt;
        _target = new Lazy<ITargetController>(() => workloads.Create(canary));
        _trafficRouter = new Lazy<ITrafficRouter>(() => routing.TrafficRouter(canary));
        _serviceRouter = new Lazy<IServiceRouter>(() => routing.ServiceRouter(canary));
    }

    /// <summary>
    /// The canary as it is now in this step: as cached when the step started, then the version the API server returned
    /// for each write of the step (finalizer, status), which later writes must use.
    /// </summary>
    public Canary Canary { get; private set; }

    /// <summary>The canary's effective settings (<see cref="CanaryDefaults.Resolve"/> with the operator's mesh provider).</summary>
    public CanarySettings Settings { get; }

    /// <summary>The spec validation errors joined by <c>"; "</c>, or null when the spec is valid or the canary is being deleted.</summary>
    public string? InvalidSpec { get; }

    /// <summary>
    /// The spec is valid again but the canary still carries a <c>Validated=False</c> condition: <see cref="Canary"/>
    /// comes without it and this step's status write removes it.
    /// </summary>
    public bool ClearsValidatedCondition { get; }

    /// <summary>
    /// The canary's spec cannot be read into the model (a wrong JSON type): <see cref="Canary"/> is a stand-in with its
    /// metadata and status and an empty spec, <see cref="InvalidSpec"/> names the field, and status writes send the
    /// status only.
    /// </summary>
    public bool Unreadable { get; }

    /// <summary>
    /// Settings of the spec that do nothing with this canary's provider (<see cref="Shared.Crd.Validation.CanaryValidator.Warnings"/>),
    /// joined by <c>"; "</c>, when they are new for this spec generation (reported once as a Warning event); else null.
    /// </summary>
    public string? Warnings { get; init; }

    /// <summary>The step's time (from <see cref="TimeProvider"/>); stamped on the status it writes.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>When the step started (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for its duration.</summary>
    public long StartedAt { get; }

    /// <summary>The canary's key in the scheduler.</summary>
    public CanaryKey Key => new(Canary.Metadata.NamespaceProperty ?? "", Canary.Metadata.Name);

    /// <summary>The Workloads controller of <c>spec.targetRef</c>.</summary>
    /// <exception cref="WorkloadException">The target kind or autoscaler is not supported.</exception>
    public ITargetController Target => _target.Value;

    /// <summary>The traffic router of the effective provider.</summary>
    /// <exception cref="RoutingException">The provider is unknown.</exception>
    public ITrafficRouter TrafficRouter => _trafficRouter.Value;

    /// <summary>The router of the apex, primary and canary Services.</summary>
    public IServiceRouter ServiceRouter => _serviceRouter.Value;

    /// <summary>Moves the step on to the version of the canary a write returned.</summary>
    public void Advance(Canary updated) => Canary = updated;
}
