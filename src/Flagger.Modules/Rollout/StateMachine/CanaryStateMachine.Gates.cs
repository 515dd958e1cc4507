using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
        // The outcome of a gate: a pass when the gate has nothing to run, the judged outcome, or null (then Need()).
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

        // upstream: scheduler_hooks.go runConfirmRolloutHooks; null = gate not judged yet
        private bool? ConfirmRollout()
        {
            if (Outcome(Gate.ConfirmRollout, _phase) is not HooksOutcome confirm)
            {
                return null;
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

                    return false;
                }

                Info($"Confirm-rollout check {hook.Name} passed");
            }

            return true;
        }

        // upstream: scheduler_hooks.go runRollbackHooks; null = no rollback requested
        private TickResult? RollbackHooks()
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

            if (rollbackHooks.FirstSuccess is null)
            {
                return null;
            }

            Warn($"Rolling back {NameNs} manual webhook invoked");
            Alert(AlertSeverity.Warn, "Rolling back manual webhook invoked", withMetadata: false);
            Rollback();
            return Finish("rollback webhook invoked");
        }

        // upstream: scheduler.go advanceCanary — pre-rollout hooks before the first step, then rollout hooks and metrics;
        // null = all passed
        private TickResult? AnalysisGates(RouteObservation routes)
        {
            // upstream reads analysis.mirror here as written, also for A/B runs (CanarySettings.Mirroring excludes A/B)
            var mirrorRequested = _canary.Spec.Analysis?.Mirror == true;
            if (routes.CanaryWeight == 0 && Iterations == 0 && !(mirrorRequested && routes.Mirrored))
            {
                Info($"Starting canary analysis for {TargetNs}");
                if (Outcome(Gate.PreRollout, CanaryPhase.Progressing) is not HooksOutcome pre)
                {
                    return Need();
                }

                return ReportGate(pre, Gate.PreRollout) ? null : FailCheck("pre-rollout check failed");
            }

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

            if (metrics.Passed)
            {
                return null;
            }

            foreach (var message in metrics.Messages)
            {
                Warn(message);
            }

            return FailCheck("metric check failed");
        }

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

        // upstream: scheduler_hooks.go runConfirmTrafficIncreaseHooks; null = gate not judged yet
        private bool? ConfirmTrafficIncrease()
        {
            if (Outcome(Gate.ConfirmTrafficIncrease, CanaryPhase.Progressing) is not HooksOutcome confirm)
            {
                return null;
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

                    return false;
                }

                Info($"Confirm-traffic-increase check {hook.Name} passed");
            }

            return true;
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
    }
}
