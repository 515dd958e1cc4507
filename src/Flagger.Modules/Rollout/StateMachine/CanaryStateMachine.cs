using Flagger.Modules.Shared.Crd;

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
/// Deviations from upstream, all deliberate: rollback on the tick where <c>failedChecks</c> reaches the threshold
/// (ARCHITECTURE §9); a foreign-format <c>lastAppliedSpec</c> is adopted once without a run (§9); the Failed phase does
/// not rewrite its status every tick; traffic is never routed to a canary that is scaled to zero or not ready (a failed
/// promotion with a broken canary keeps traffic on the primary); Promoting with <c>stepWeightPromotion</c> and no canary
/// traffic left finalises instead of stalling; a canary progress deadline also sends the documented
/// <c>Progress deadline exceeded</c> alert; a rollback during initialization does not touch routes that do not exist yet;
/// deletion is handled before spec validation, so an invalid canary can still be deleted.
/// </remarks>
/// <param name="defaultProvider">The global <c>--mesh-provider</c>, used when <c>spec.provider</c> is empty.</param>
internal sealed class CanaryStateMachine(string defaultProvider = "istio")
{
    /// <summary>The finalizer added with <c>revertOnDeletion</c>.</summary>
    public const string Finalizer = "finalizer.flagger.app";

    /// <summary>Decides one tick; see the class remarks for the gate loop.</summary>
    public TickResult Tick(TickInput input, Judgement judgement)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(judgement);
        return new Run(input, judgement, AnalysisSettings.Resolve(input.Canary.Spec, defaultProvider)).Execute();
    }

    /// <summary>The phase as upstream spells it in <c>status.phase</c> (empty for <see cref="CanaryPhase.None"/>).</summary>
    public static string PhaseText(CanaryPhase phase) => phase == CanaryPhase.None ? "" : phase.ToString();

    /// <summary>Parses <c>status.phase</c>; empty or unknown text is <see cref="CanaryPhase.None"/>.</summary>
    public static CanaryPhase ParsePhase(string? text) =>
        !string.IsNullOrEmpty(text) && Enum.TryParse<CanaryPhase>(text, ignoreCase: false, out var phase) && phase != CanaryPhase.None
            ? phase
            : CanaryPhase.None;

    private sealed class Run(TickInput input, Judgement judgement, AnalysisSettings settings)
    {
        private readonly Canary _canary = input.Canary;
        private readonly Observation _obs = input.Observation;
        private readonly CanaryStatus _status = Clone(input.Canary.Status);
        private readonly List<CanaryAction> _actions = [];
        private readonly StatusMarker _marker = new();
        private AnalysisSettings _settings = settings;
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

        private bool CanaryCanTakeTraffic =>
            _obs.Canary.Readiness == Readiness.Ready && _obs.Canary.Scale != ScaleState.Zero;

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

            if (Validate() is { } invalid)
            {
                Warn($"invalid canary spec: {invalid}");
                return Finish("invalid spec");
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

        // upstream: scheduler.go advanceCanary steps 5-13
        private TickResult? Initialize()
        {
            var initPhase = _phase is CanaryPhase.None or CanaryPhase.Initializing;
            Add(new EnsureCanaryAndPrimaryServices());
            if (!_settings.SkipAnalysis && initPhase)
            {
                Add(new CheckMetricProviders());
            }

            if (_settings.IsAppMesh)
            {
                Add(new EnsureMeshRoutes());
            }

            Add(new EnsurePrimaryWorkload());
            if (initPhase && !_settings.SkipAnalysis)
            {
                switch (_obs.Primary.Readiness)
                {
                    case Readiness.NotReady:
                        Warn(_obs.Primary.Message ?? $"{Target}-primary.{Ns} not ready");
                        return Finish("initializing: waiting for the primary");
                    case Readiness.DeadlineExceeded:
                        Warn(_obs.Primary.Message ?? $"{Target}-primary.{Ns} progress deadline exceeded");
                        Rollback();
                        return Finish("initializing: primary progress deadline exceeded, rolled back");
                }
            }

            if (_settings.HasAutoscaler)
            {
                Add(new EnsurePrimaryScaler());
                if (initPhase)
                {
                    Add(new PauseTargetScaler());
                }
            }

            Add(new EnsureApexService());
            if (initPhase)
            {
                Add(new ScaleTargetToZero());
            }

            if (!_settings.IsAppMesh)
            {
                Add(new EnsureMeshRoutes());
            }

            if (!initPhase)
            {
                return null;
            }

            // upstream: scheduler.go setPhaseInitialized
            SyncStatus(CanaryPhase.Initialized);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Initialized));
            Info($"Initialization done! {NameNs}");
            Alert(AlertSeverity.Info, $"New {Kind} detected, initialization completed.", withMetadata: true);
            return Finish("initialized");
        }

        // upstream: scheduler.go advanceCanary steps 14-28
        private TickResult Advance()
        {
            var change = RevisionComparer.Compare(
                _status.LastAppliedSpec, _status.LastPromotedSpec, _status.TrackedConfigs, _obs.TargetRevision, _obs.TrackedConfigs);
            var adopted = false;
            if (change == RevisionChange.AdoptForeign)
            {
                // ARCHITECTURE §9: taking over from upstream Flagger is a no-op
                if (_phase is CanaryPhase.Initialized or CanaryPhase.Succeeded && RevisionComparer.IsUpstreamFormat(_status.LastPromotedSpec))
                {
                    _status.LastPromotedSpec = _obs.TargetRevision;
                }

                _status.LastAppliedSpec = _obs.TargetRevision;
                _dirty = true;
                adopted = true;
                change = RevisionChange.Unchanged;
            }

            var inRun = _phase is CanaryPhase.Progressing or CanaryPhase.Waiting or CanaryPhase.WaitingPromotion
                or CanaryPhase.Promoting or CanaryPhase.Finalising;
            if (!inRun && change == RevisionChange.Unchanged)
            {
                Add(new RecordStatusMetric(_phase));
                return Finish(adopted ? "adopted the upstream revision hash" : "no new revision");
            }

            if (!_settings.SkipAnalysis)
            {
                switch (_obs.Primary.Readiness)
                {
                    case Readiness.NotReady:
                        Warn(_obs.Primary.Message ?? $"{Target}-primary.{Ns} not ready");
                        return Finish("waiting for the primary");
                    case Readiness.DeadlineExceeded:
                        var message = _obs.Primary.Message ?? $"{Target}-primary.{Ns} progress deadline exceeded";
                        Warn(message);
                        if (_phase is CanaryPhase.Promoting or CanaryPhase.Finalising)
                        {
                            FailedPromotion(message);
                            return Finish("promotion failed: primary not ready");
                        }

                        Rollback();
                        return Finish("primary progress deadline exceeded, rolled back");
                }
            }

            if (_obs.Routes is not { } routes)
            {
                Warn(_obs.RoutesError ?? "routes of the canary could not be read");
                return Finish("routes unavailable");
            }

            Add(new RecordWeightMetric(routes.PrimaryWeight, routes.CanaryWeight));
            Add(new RecordStatusMetric(_phase));

            // upstream: scheduler.go checkCanaryStatus
            if (_phase is not (CanaryPhase.Progressing or CanaryPhase.WaitingPromotion or CanaryPhase.Promoting or CanaryPhase.Finalising))
            {
                return StartRun();
            }

            // upstream: scheduler.go hasCanaryRevisionChanged
            if (_phase is CanaryPhase.Progressing or CanaryPhase.WaitingPromotion && change == RevisionChange.Changed)
            {
                Info($"New revision detected! Restarting analysis for {TargetNs}");
                Route(AnalysisSettings.TotalWeight, 0, false);
                SyncStatus(CanaryPhase.Progressing);
                return Finish("new revision during analysis: restarted");
            }

            switch (_obs.Canary.Readiness)
            {
                case Readiness.NotReady:
                    Warn(_obs.Canary.Message ?? $"{TargetNs} not ready");
                    return Finish("waiting for the canary");
                case Readiness.DeadlineExceeded:
                    var message = _obs.Canary.Message ?? $"{TargetNs} progress deadline exceeded";
                    // upstream: pkg/controller/scheduler.go — "Rolling back <name>.<ns> progress deadline exceeded <err>"
                    Warn($"Rolling back {NameNs} progress deadline exceeded {message}");
                    Alert(AlertSeverity.Error, $"Progress deadline exceeded {message}", withMetadata: false);
                    Rollback();
                    return Finish("canary progress deadline exceeded, rolled back");
            }

            if (_settings.SkipAnalysis)
            {
                return SkipAnalysis();
            }

            if (_phase is CanaryPhase.Progressing or CanaryPhase.Waiting or CanaryPhase.WaitingPromotion)
            {
                if (Outcome(Gate.Rollback, _phase) is not HooksOutcome rollbackHooks)
                {
                    return Need();
                }

                foreach (var hook in rollbackHooks.Results)
                {
                    if (hook.Succeeded)
                    {
                        Warn($"Rollback check {hook.Name} passed");
                        break;
                    }

                    Info($"Rollback hook {hook.Name} not signaling a rollback");
                }

                if (rollbackHooks.FirstSuccess is not null)
                {
                    Warn($"Rolling back {NameNs} manual webhook invoked");
                    Alert(AlertSeverity.Warn, "Rolling back manual webhook invoked", withMetadata: false);
                    Rollback();
                    return Finish("rollback webhook invoked");
                }
            }

            if (_phase == CanaryPhase.Promoting)
            {
                if (_settings.HasAutoscaler)
                {
                    Add(new SyncPrimaryScaler());
                }

                return PromotionTrafficShift(routes);
            }

            if (_phase == CanaryPhase.Finalising)
            {
                if (_settings.HasAutoscaler)
                {
                    Add(new PauseTargetScaler());
                }

                Add(new ScaleTargetToZero());
                SetPhase(CanaryPhase.Succeeded);
                MarkStatusWrite();
                Add(new RecordStatusMetric(CanaryPhase.Succeeded));
                Add(new RecordRunOutcome(true, _settings.Strategy, AnalysisSkipped: false));
                Add(new RunPostRolloutHooks(CanaryPhase.Succeeded));
                Info($"Promotion completed! Scaling down {TargetNs}");
                Alert(AlertSeverity.Info, "Canary analysis completed successfully, promotion finished.", withMetadata: false);
                return Finish("succeeded");
            }

            // Reached only when the status already holds the threshold (e.g. threshold lowered, or a status written
            // by upstream Flagger); our own failing ticks roll back as soon as the threshold is reached.
            if (_phase is CanaryPhase.Progressing or CanaryPhase.WaitingPromotion && FailedChecks >= _settings.Threshold)
            {
                Rollback();
                return Finish("failed checks threshold reached");
            }

            _observeDuration = true;
            if (routes.CanaryWeight == 0 && Iterations == 0 && !(_settings.Mirror && routes.Mirrored))
            {
                Info($"Starting canary analysis for {TargetNs}");
                if (Outcome(Gate.PreRollout, CanaryPhase.Progressing) is not HooksOutcome pre)
                {
                    return Need();
                }

                if (!ReportGate(pre, Gate.PreRollout))
                {
                    return FailCheck("pre-rollout check failed");
                }
            }
            else
            {
                if (Outcome(Gate.Rollout, CanaryPhase.Progressing) is not HooksOutcome rollout)
                {
                    return Need();
                }

                if (!ReportGate(rollout, Gate.Rollout))
                {
                    return FailCheck("external check failed");
                }

                if (Outcome(Gate.Metrics, CanaryPhase.Progressing) is not MetricsOutcome metrics)
                {
                    return Need();
                }

                if (!metrics.Passed)
                {
                    foreach (var message in metrics.Messages)
                    {
                        Warn(message);
                    }

                    return FailCheck("metric check failed");
                }
            }

            if (_settings.IsKubernetesProvider)
            {
                if (_settings.HasMatch)
                {
                    Warn("A/B testing is not supported when using the kubernetes provider");
                    _settings = _settings with { HasMatch = false };
                }

                if (_settings.Iterations < 1)
                {
                    Warn("Progressive traffic is not supported when using the kubernetes provider");
                    Warn("Setting canaryAnalysis.iterations: 10");
                    _settings = _settings with { Iterations = 10 };
                }
            }

            return _settings.Strategy switch
            {
                "ab-testing" => RunAB(),
                "blue-green" => RunBlueGreen(routes),
                _ => RunCanaryStrategy(routes),
            };
        }

        // upstream: scheduler.go checkCanaryStatus (Initialized/Succeeded/Failed/Waiting with a new revision)
        private TickResult StartRun()
        {
            if (Outcome(Gate.ConfirmRollout, _phase) is not HooksOutcome confirm)
            {
                return Need();
            }

            foreach (var hook in confirm.Results)
            {
                if (!hook.Succeeded)
                {
                    if (_phase != CanaryPhase.Waiting)
                    {
                        SetPhase(CanaryPhase.Waiting);
                        Warn($"Halt {NameNs} advancement waiting for approval {hook.Name}");
                        if (!_settings.IsMuted(hook.Name, Gate.ConfirmRollout))
                        {
                            Alert(AlertSeverity.Warn, "Canary is waiting for approval.", withMetadata: false);
                        }
                    }

                    return Finish("waiting for rollout approval");
                }

                Info($"Confirm-rollout check {hook.Name} passed");
            }

            Info($"New revision detected! Scaling up {TargetNs}");
            Alert(AlertSeverity.Info, "New revision detected, progressing canary analysis.", withMetadata: true);
            if (_settings.HasAutoscaler)
            {
                Add(new ResumeTargetScaler());
            }

            Add(new ScaleTargetUp());
            SyncStatus(CanaryPhase.Progressing);
            Add(new RecordStatusMetric(CanaryPhase.Progressing));
            return Finish("new revision: progressing");
        }

        // upstream: scheduler.go shouldSkipAnalysis
        private TickResult SkipAnalysis()
        {
            Route(AnalysisSettings.TotalWeight, 0, false);
            Add(new RecordWeightMetric(AnalysisSettings.TotalWeight, 0));
            Info($"Copying {TargetNs} template spec to {Target}-primary.{Ns}");
            Add(new PromoteTarget(_obs.TargetRevision));
            if (_settings.HasAutoscaler)
            {
                Add(new SyncPrimaryScaler());
                Add(new PauseTargetScaler());
            }

            Add(new ScaleTargetToZero());
            SetPhase(CanaryPhase.Succeeded);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Succeeded));
            Add(new RecordRunOutcome(true, _settings.Strategy, AnalysisSkipped: true));
            Add(new RunPostRolloutHooks(CanaryPhase.Succeeded));
            Info($"Promotion completed! Canary analysis was skipped for {TargetNs}");
            Alert(AlertSeverity.Info, "Canary analysis was skipped, promotion finished.", withMetadata: false);
            return Finish("analysis skipped: promoted");
        }

        // upstream: scheduler.go canary branch + runCanary
        private TickResult RunCanaryStrategy(RouteObservation routes)
        {
            var step = _settings.NextStepWeight(routes.CanaryWeight);
            if (step <= 0)
            {
                return Finish("no stepWeight or stepWeights configured: nothing to advance");
            }

            if (!routes.Mirrored && _phase is not (CanaryPhase.Promoting or CanaryPhase.WaitingPromotion or CanaryPhase.Finalising))
            {
                if (Outcome(Gate.ConfirmTrafficIncrease, CanaryPhase.Progressing) is not HooksOutcome confirm)
                {
                    return Need();
                }

                foreach (var hook in confirm.Results)
                {
                    if (!hook.Succeeded)
                    {
                        Warn($"Halt {NameNs} advancement waiting for traffic increase approval {hook.Name}");
                        if (!_settings.IsMuted(hook.Name, Gate.ConfirmTrafficIncrease))
                        {
                            Alert(AlertSeverity.Warn, "Canary traffic increase is waiting for approval.", withMetadata: false);
                        }

                        return Finish("waiting for traffic increase approval");
                    }

                    Info($"Confirm-traffic-increase check {hook.Name} passed");
                }
            }

            if (routes.CanaryWeight < _settings.MaxWeight)
            {
                int primary, canary;
                var mirrored = routes.Mirrored;
                if (_settings.Mirror && routes.CanaryWeight == 0)
                {
                    // one interval of pure mirroring before shifting traffic
                    (primary, canary, mirrored) = routes.Mirrored
                        ? (AnalysisSettings.TotalWeight - step, step, false)
                        : (AnalysisSettings.TotalWeight, 0, true);
                }
                else
                {
                    primary = Math.Max(0, routes.PrimaryWeight - step);
                    canary = Math.Min(AnalysisSettings.TotalWeight, routes.CanaryWeight + step);
                }

                if (!Route(primary, canary, mirrored))
                {
                    return Finish("canary cannot take traffic");
                }

                SetWeight(canary);
                Add(new RecordWeightMetric(primary, canary));
                Info($"Advance {NameNs} canary weight {canary}");
                return Finish(mirrored ? "mirroring" : $"advanced canary weight to {canary}");
            }

            return Promote("max weight reached");
        }

        // upstream: scheduler.go runAB
        private TickResult RunAB()
        {
            if (_settings.Iterations > Iterations)
            {
                if (!Route(0, AnalysisSettings.TotalWeight, false))
                {
                    return Finish("canary cannot take traffic");
                }

                Add(new RecordWeightMetric(0, AnalysisSettings.TotalWeight));
                SetIterations(Iterations + 1);
                Info($"Advance {NameNs} canary iteration {Iterations}/{_settings.Iterations}");
                return Finish($"A/B iteration {Iterations}");
            }

            if (ConfirmPromotion() is not { } approved)
            {
                return Need();
            }

            if (!approved)
            {
                return Finish("waiting for promotion approval");
            }

            return _settings.Iterations == Iterations ? PromoteApproved("iterations done") : Finish("iterations exceeded");
        }

        // upstream: scheduler.go runBlueGreen
        private TickResult RunBlueGreen(RouteObservation routes)
        {
            if (_settings.Iterations > Iterations)
            {
                if (!_settings.IsKubernetesProvider && _settings.Mirror && !routes.Mirrored && !Route(AnalysisSettings.TotalWeight, 0, true))
                {
                    return Finish("canary cannot take mirrored traffic");
                }

                SetIterations(Iterations + 1);
                Info($"Advance {NameNs} canary iteration {Iterations}/{_settings.Iterations}");
                return Finish($"blue/green iteration {Iterations}");
            }

            if (ConfirmPromotion() is not { } approved)
            {
                return Need();
            }

            if (!approved)
            {
                return Finish("waiting for promotion approval");
            }

            if (_settings.Iterations == Iterations)
            {
                if (!_settings.IsKubernetesProvider)
                {
                    Info(_settings.Mirror ? "Stop traffic mirroring and route all traffic to canary" : "Routing all traffic to canary");
                    if (!Route(0, AnalysisSettings.TotalWeight, false))
                    {
                        return Finish("canary cannot take traffic");
                    }

                    Add(new RecordWeightMetric(0, AnalysisSettings.TotalWeight));
                }

                SetIterations(Iterations + 1);
                return Finish(_settings.IsKubernetesProvider ? "blue/green: iterations done" : "blue/green: all traffic to canary");
            }

            return PromoteApproved("iterations done");
        }

        private TickResult Promote(string why)
        {
            if (ConfirmPromotion() is not { } approved)
            {
                return Need();
            }

            return approved ? PromoteApproved(why) : Finish("waiting for promotion approval");
        }

        private TickResult PromoteApproved(string why)
        {
            Info($"Copying {TargetNs} template spec to {Target}-primary.{Ns}");
            Add(new PromoteTarget(_obs.TargetRevision));
            SetPhase(CanaryPhase.Promoting);
            return Finish($"{why}: promoting");
        }

        // upstream: scheduler_hooks.go runConfirmPromotionHooks; null = gate not judged yet
        private bool? ConfirmPromotion()
        {
            if (Outcome(Gate.ConfirmPromotion, CanaryPhase.Progressing) is not HooksOutcome confirm)
            {
                return null;
            }

            foreach (var hook in confirm.Results)
            {
                if (!hook.Succeeded)
                {
                    if (_phase != CanaryPhase.WaitingPromotion)
                    {
                        SetPhase(CanaryPhase.WaitingPromotion);
                        Warn($"Halt {NameNs} advancement waiting for promotion approval {hook.Name}");
                        if (!_settings.IsMuted(hook.Name, Gate.ConfirmPromotion))
                        {
                            Alert(AlertSeverity.Warn, "Canary promotion is waiting for approval.", withMetadata: false);
                        }
                    }
                    else
                    {
                        SetIterations(_settings.Iterations - 1);
                    }

                    return false;
                }

                Info($"Confirm-promotion check {hook.Name} passed");
            }

            return true;
        }

        // upstream: scheduler.go runPromotionTrafficShift
        private TickResult PromotionTrafficShift(RouteObservation routes)
        {
            if (_settings.IsKubernetesProvider)
            {
                SetPhase(CanaryPhase.Finalising);
                return Finish("promoting: finalising (kubernetes provider)");
            }

            if (_settings.StepWeightPromotion == 0 || routes.CanaryWeight == 0)
            {
                Info("Routing all traffic to primary");
                Route(AnalysisSettings.TotalWeight, 0, false);
                Add(new RecordWeightMetric(AnalysisSettings.TotalWeight, 0));
                SetPhase(CanaryPhase.Finalising);
                return Finish("promoting: all traffic to primary");
            }

            var primary = Math.Min(AnalysisSettings.TotalWeight, routes.PrimaryWeight + _settings.StepWeightPromotion);
            var canary = Math.Max(0, routes.CanaryWeight - _settings.StepWeightPromotion);
            if (!Route(primary, canary, false))
            {
                return Finish("canary cannot take traffic");
            }

            Add(new RecordWeightMetric(primary, canary));
            Info($"Advance {NameNs} primary weight {primary}");
            if (primary == AnalysisSettings.TotalWeight)
            {
                SetPhase(CanaryPhase.Finalising);
                return Finish("promoting: traffic shifted to primary");
            }

            SetWeight(canary);
            return Finish($"promoting: primary weight {primary}");
        }

        private TickResult FailCheck(string why)
        {
            SetFailedChecks(FailedChecks + 1);

            // ARCHITECTURE §9: roll back on the tick where failedChecks reaches the threshold (upstream waits one more tick)
            if (_phase is CanaryPhase.Progressing or CanaryPhase.WaitingPromotion && FailedChecks >= _settings.Threshold)
            {
                Rollback();
                return Finish($"{why}: threshold reached, rolled back");
            }

            return Finish($"{why}: failed checks {FailedChecks}/{_settings.Threshold}");
        }

        // upstream: scheduler.go rollback
        private void Rollback()
        {
            if (FailedChecks >= _settings.Threshold)
            {
                Warn($"Rolling back {NameNs} failed checks threshold reached {FailedChecks}");
                Alert(AlertSeverity.Error, $"Failed checks threshold reached {FailedChecks}", withMetadata: false);
            }

            // during initialization no routing object exists yet, so there is nothing to reset (upstream fails here)
            if (_phase is not (CanaryPhase.None or CanaryPhase.Initializing))
            {
                Route(AnalysisSettings.TotalWeight, 0, false);
            }

            Warn($"Canary failed! Scaling down {NameNs}");
            Add(new RecordWeightMetric(AnalysisSettings.TotalWeight, 0));
            if (_settings.HasAutoscaler)
            {
                Add(new PauseTargetScaler());
            }

            Add(new ScaleTargetToZero());
            SyncStatus(CanaryPhase.Failed);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Failed));
            Add(new RecordRunOutcome(false, _settings.Strategy, AnalysisSkipped: false));
            Add(new RunPostRolloutHooks(CanaryPhase.Failed));
        }

        // upstream: scheduler.go handleFailedPromotion (v1.44)
        private void FailedPromotion(string message)
        {
            Warn($"Promotion of {TargetNs} failed, primary not ready: {message}");
            Alert(AlertSeverity.Error, $"Promotion failed, primary not ready: {message}", withMetadata: false);
            var canaryWeight = CanaryCanTakeTraffic ? AnalysisSettings.TotalWeight : 0;
            Route(AnalysisSettings.TotalWeight - canaryWeight, canaryWeight, false);
            Add(new RecordWeightMetric(AnalysisSettings.TotalWeight - canaryWeight, canaryWeight));
            SyncStatus(CanaryPhase.Failed, canaryWeight);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Failed));
            Add(new RecordRunOutcome(false, _settings.Strategy, AnalysisSkipped: false));
            Add(new RunPostRolloutHooks(CanaryPhase.Failed));
        }

        // upstream: controller.go syncHandler + finalizer.go finalize
        private TickResult Finalize()
        {
            var wasTerminating = _phase == CanaryPhase.Terminating;
            if (!wasTerminating)
            {
                SetPhase(CanaryPhase.Terminating);
                MarkStatusWrite();
                Info($"Terminating canary {NameNs}");
            }

            if (_settings.HasAutoscaler)
            {
                Add(new ResumeTargetScaler());
            }

            Add(new RevertTarget());

            // routing is reverted only once the reverted target was observed ready on a later tick
            if (!wasTerminating || _obs.Canary.Readiness != Readiness.Ready || _obs.Canary.Scale == ScaleState.Zero)
            {
                return Finish("terminating: waiting for the reverted target");
            }

            Add(new RevertServices());
            Add(new RevertMeshRoutes());
            Add(new RemoveFinalizer());
            Info($"Terminated canary {NameNs}");
            return Finish("terminated");
        }

        private string? Validate()
        {
            var spec = _canary.Spec;
            if (string.IsNullOrEmpty(spec.TargetRef?.Name))
            {
                return "spec.targetRef.name is required";
            }

            if (string.IsNullOrEmpty(spec.TargetRef.Kind))
            {
                return "spec.targetRef.kind is required";
            }

            if (spec.Analysis?.SessionAffinity is { } affinity)
            {
                if (string.IsNullOrEmpty(affinity.CookieName))
                {
                    return "spec.analysis.sessionAffinity.cookieName is required";
                }

                if (affinity.CookieName == affinity.PrimaryCookieName)
                {
                    return "spec.analysis.sessionAffinity.cookieName and primaryCookieName must be different";
                }
            }

            return null;
        }

        private GateOutcome? Outcome(Gate gate, CanaryPhase payloadPhase)
        {
            if (!_settings.HasWork(gate))
            {
                return gate == Gate.Metrics ? MetricsOutcome.Pass : HooksOutcome.Of();
            }

            if (judgement.TryGet(gate, out var outcome))
            {
                var expected = gate == Gate.Metrics ? typeof(MetricsOutcome) : typeof(HooksOutcome);
                return outcome.GetType() == expected
                    ? outcome
                    : throw new ArgumentException($"the judgement of gate {gate} must be a {expected.Name}, not a {outcome.GetType().Name}", nameof(judgement));
            }

            _need = new NeedJudgement(gate, payloadPhase);
            return null;
        }

        private TickResult Need() => _need ?? throw new InvalidOperationException("no gate is pending");

        // pre-rollout and rollout hooks: events per hook, true when all passed
        private bool ReportGate(HooksOutcome outcome, Gate gate)
        {
            foreach (var hook in outcome.Results)
            {
                if (!hook.Succeeded)
                {
                    Warn(gate == Gate.PreRollout
                        ? $"Halt {NameNs} advancement pre-rollout check {hook.Name} failed {hook.Error}"
                        : $"Halt {NameNs} advancement external check {hook.Name} failed {hook.Error}");
                    return false;
                }

                if (gate == Gate.PreRollout)
                {
                    Info($"Pre-rollout check {hook.Name} passed");
                }
            }

            return true;
        }

        // emits SetRoutes and the session-affinity cookie changes; refuses canary traffic to a canary that cannot serve
        private bool Route(int primaryWeight, int canaryWeight, bool mirrored)
        {
            if ((canaryWeight > 0 || mirrored) && !CanaryCanTakeTraffic)
            {
                if (_obs.Canary.Scale == ScaleState.Zero)
                {
                    Warn($"{TargetNs} is scaled to zero, not routing traffic to it");
                    Add(new ScaleTargetUp());
                }

                return false;
            }

            Add(new SetRoutes(primaryWeight, canaryWeight, mirrored));
            if (_settings.SupportsSessionAffinity && _settings.SessionAffinity is { } affinity)
            {
                // upstream: pkg/router/istio.go getSessionAffinityRouteRules
                if (canaryWeight != 0)
                {
                    if (string.IsNullOrEmpty(_status.SessionAffinityCookie))
                    {
                        _status.SessionAffinityCookie = $"{affinity.CookieName}={input.NewCookieValue}";
                        _dirty = true;
                    }

                    // upstream sets it even without primaryCookieName (then "=<value>"), kept for parity
                    if (string.IsNullOrEmpty(_status.PrimarySessionAffinityCookie))
                    {
                        _status.PrimarySessionAffinityCookie = $"{affinity.PrimaryCookieName}={input.NewPrimaryCookieValue}";
                        _dirty = true;
                    }
                }
                else if (!string.IsNullOrEmpty(_status.SessionAffinityCookie))
                {
                    _status.PreviousSessionAffinityCookie = _status.SessionAffinityCookie;
                    _status.SessionAffinityCookie = null;
                    _dirty = true;
                }
            }

            return true;
        }

        // upstream: pkg/canary/status.go syncCanaryStatus — phase, counters, revision and configs in one write
        private void SyncStatus(CanaryPhase phase, int canaryWeight = 0)
        {
            _status.Conditions = PromotedCondition.Update(_status.Conditions, phase, Kind, input.Now) ?? _status.Conditions;
            _status.Phase = PhaseText(phase);
            _status.CanaryWeight = canaryWeight;
            _status.FailedChecks = 0;
            _status.Iterations = 0;
            _status.LastAppliedSpec = _obs.TargetRevision;
            if (phase == CanaryPhase.Initialized)
            {
                _status.LastPromotedSpec = _obs.TargetRevision;
            }

            _status.TrackedConfigs = _obs.TrackedConfigs is null ? null : new Dictionary<string, string>(_obs.TrackedConfigs);
            _phase = phase;
            _dirty = true;
        }

        // upstream: pkg/canary/status.go setStatusPhase
        private void SetPhase(CanaryPhase phase)
        {
            if (phase is not (CanaryPhase.Progressing or CanaryPhase.Waiting or CanaryPhase.Promoting))
            {
                _status.CanaryWeight = 0;
                _status.Iterations = phase == CanaryPhase.WaitingPromotion ? _settings.Iterations - 1 : 0;
            }

            if (phase is CanaryPhase.Initialized or CanaryPhase.Succeeded)
            {
                _status.LastPromotedSpec = _status.LastAppliedSpec;
            }

            SetPhaseOnly(phase);
        }

        private void SetPhaseOnly(CanaryPhase phase)
        {
            _status.Conditions = PromotedCondition.Update(_status.Conditions, phase, Kind, input.Now) ?? _status.Conditions;
            _status.Phase = PhaseText(phase);
            _phase = phase;
            _dirty = true;
        }

        private void SetWeight(int weight)
        {
            _status.CanaryWeight = weight;
            _dirty = true;
        }

        private void SetIterations(int iterations)
        {
            _status.Iterations = iterations;
            _dirty = true;
        }

        private void SetFailedChecks(int failedChecks)
        {
            _status.FailedChecks = failedChecks;
            _dirty = true;
        }

        private void Add(CanaryAction action) => _actions.Add(action);

        private void Info(string message) => Add(new EmitEvent(EventType.Normal, message));

        private void Warn(string message) => Add(new EmitEvent(EventType.Warning, message));

        private void Alert(AlertSeverity severity, string message, bool withMetadata) =>
            Add(new SendAlert(severity, message, withMetadata));

        // the status is written here in the action order; later actions run after the write
        private void MarkStatusWrite()
        {
            if (!_actions.Contains(_marker))
            {
                Add(_marker);
            }
        }

        private Decision Finish(string summary)
        {
            var actions = new List<CanaryAction>(_actions.Count + 1);
            WriteStatus? write = null;
            if (_dirty)
            {
                // upstream's status ints are not omitempty: always written
                _status.FailedChecks ??= 0;
                _status.CanaryWeight ??= 0;
                _status.Iterations ??= 0;
                _status.LastTransitionTime = PromotedCondition.Timestamp(input.Now);
                write = new WriteStatus(_status);
            }

            foreach (var action in _actions)
            {
                if (ReferenceEquals(action, _marker))
                {
                    if (write is not null)
                    {
                        actions.Add(write);
                        write = null;
                    }
                }
                else
                {
                    actions.Add(action);
                }
            }

            if (write is not null)
            {
                actions.Add(write);
            }

            return new Decision(actions, _observeDuration, summary);
        }

        private static CanaryStatus Clone(CanaryStatus? status) => status is null
            ? new CanaryStatus()
            : new CanaryStatus
            {
                Phase = status.Phase,
                FailedChecks = status.FailedChecks,
                CanaryWeight = status.CanaryWeight,
                Iterations = status.Iterations,
                TrackedConfigs = status.TrackedConfigs is null ? null : new Dictionary<string, string>(status.TrackedConfigs),
                LastAppliedSpec = status.LastAppliedSpec,
                LastPromotedSpec = status.LastPromotedSpec,
                LastTransitionTime = status.LastTransitionTime,
                SessionAffinityCookie = status.SessionAffinityCookie,
                PrimarySessionAffinityCookie = status.PrimarySessionAffinityCookie,
                PreviousSessionAffinityCookie = status.PreviousSessionAffinityCookie,
                Conditions = status.Conditions?.Select(c => new CanaryCondition
                {
                    Type = c.Type,
                    Status = c.Status,
                    Reason = c.Reason,
                    Message = c.Message,
                    LastUpdateTime = c.LastUpdateTime,
                    LastTransitionTime = c.LastTransitionTime,
                }).ToList(),
            };
    }

    // placeholder for the position of the status write inside the action list
    private sealed record StatusMarker : CanaryAction;
}
