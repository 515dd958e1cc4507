using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
        // upstream: scheduler.go advanceCanary steps 14-28, each guard in upstream's order
        private TickResult Advance()
        {
            var change = CompareRevisions(out var adopted);

            // upstream: scheduler.go shouldAdvance syncs lastAppliedSpec while Failed, after this tick's comparison, so
            // reverting to the primary's spec and then re-applying the failed revision starts a new run
            // (test/nginx/test-lifecycle.sh).
            if (_phase == CanaryPhase.Failed && change == RevisionChange.Unchanged && _status.LastAppliedSpec != _obs.TargetRevision)
            {
                _status.LastAppliedSpec = _obs.TargetRevision;
                _dirty = true;
            }
            var inRun = _phase is CanaryPhase.Progressing or CanaryPhase.Waiting or CanaryPhase.WaitingPromotion
                or CanaryPhase.Promoting or CanaryPhase.Finalising;
            if (!inRun && change == RevisionChange.Unchanged)
            {
                Add(new RecordStatusMetric(_phase));
                return Finish(adopted ? "adopted the upstream revision hash" : "no new revision");
            }

            if (!_settings.SkipAnalysis && PrimaryNotReady() is { } primaryNotReady)
            {
                return primaryNotReady;
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
                Route(TotalWeight, 0, false);
                SyncStatus(CanaryPhase.Progressing);
                return Finish("new revision during analysis: restarted");
            }

            return CanaryNotReady() ?? (_settings.SkipAnalysis ? SkipAnalysis() : AdvanceRun(routes));
        }

        // upstream: scheduler.go hasCanaryRevisionChanged / ARCHITECTURE §9 adoption of an upstream hash
        private RevisionChange CompareRevisions(out bool adopted)
        {
            adopted = false;
            var change = RevisionComparer.Compare(
                _status.LastAppliedSpec, _status.LastPromotedSpec, _status.TrackedConfigs, _obs.TargetRevision, _obs.TrackedConfigs);
            if (change != RevisionChange.AdoptForeign)
            {
                return change;
            }

            // taking over from upstream Flagger is a no-op
            if (_phase is CanaryPhase.Initialized or CanaryPhase.Succeeded && RevisionComparer.IsUpstreamFormat(_status.LastPromotedSpec))
            {
                _status.LastPromotedSpec = _obs.TargetRevision;
            }

            _status.LastAppliedSpec = _obs.TargetRevision;
            _dirty = true;
            adopted = true;
            return RevisionChange.Unchanged;
        }

        // upstream: scheduler.go advanceCanary, primary IsPrimaryReady (a promotion whose primary fails is handled apart)
        private TickResult? PrimaryNotReady()
        {
            switch (_obs.Primary.Readiness)
            {
                case ReadinessState.NotReady:
                    Warn(_obs.Primary.Message ?? $"{Target}-primary.{Ns} not ready");
                    return Finish("waiting for the primary");
                case ReadinessState.DeadlineExceeded:
                    var message = _obs.Primary.Message ?? $"{Target}-primary.{Ns} progress deadline exceeded";
                    Warn(message);
                    if (_phase is CanaryPhase.Promoting or CanaryPhase.Finalising)
                    {
                        FailedPromotion(message);
                        return Finish("promotion failed: primary not ready");
                    }

                    Rollback();
                    return Finish("primary progress deadline exceeded, rolled back");
                default:
                    return null;
            }
        }

        // upstream: scheduler.go advanceCanary, canary IsCanaryReady
        private TickResult? CanaryNotReady()
        {
            switch (_obs.Canary.Readiness)
            {
                case ReadinessState.NotReady:
                    Warn(_obs.Canary.Message ?? $"{TargetNs} not ready");
                    return Finish("waiting for the canary");
                case ReadinessState.DeadlineExceeded:
                    var message = _obs.Canary.Message ?? $"{TargetNs} progress deadline exceeded";
                    // upstream: pkg/controller/scheduler.go — "Rolling back <name>.<ns> progress deadline exceeded <err>"
                    Warn($"Rolling back {NameNs} progress deadline exceeded {message}");
                    Alert(AlertSeverity.Error, $"Progress deadline exceeded {message}", withMetadata: false);
                    Rollback();
                    return Finish("canary progress deadline exceeded, rolled back");
                default:
                    return null;
            }
        }

        // upstream: scheduler.go advanceCanary from the rollback hooks on: promotion, finalising, threshold, analysis
        private TickResult AdvanceRun(RouteObservation routes)
        {
            if (_phase is CanaryPhase.Progressing or CanaryPhase.Waiting or CanaryPhase.WaitingPromotion && RollbackHooks() is { } rollback)
            {
                return rollback;
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
                return Finalising();
            }

            // Reached only when the status already holds the threshold (e.g. threshold lowered, or a status written
            // by upstream Flagger); our own failing ticks roll back as soon as the threshold is reached.
            if (_phase is CanaryPhase.Progressing or CanaryPhase.WaitingPromotion && FailedChecks >= _settings.Threshold)
            {
                Rollback();
                return Finish("failed checks threshold reached");
            }

            _observeDuration = true;
            return AnalysisGates(routes) ?? RunStrategy(routes);
        }

        // upstream: scheduler.go advanceCanary, the kubernetes provider corrections before choosing the strategy (after
        // them the kubernetes provider always runs blue/green)
        private TickResult RunStrategy(RouteObservation routes)
        {
            if (IsKubernetesProvider)
            {
                if (_settings.HasMatch)
                {
                    Warn("A/B testing is not supported when using the kubernetes provider");
                    _settings = _settings with { HasMatch = false, Strategy = DeploymentStrategy.BlueGreen };
                }

                if (_settings.Iterations < 1)
                {
                    Warn("Progressive traffic is not supported when using the kubernetes provider");
                    Warn($"Setting canaryAnalysis.iterations: {CanaryDefaults.KubernetesProviderIterations}");
                    _settings = _settings with { Iterations = CanaryDefaults.KubernetesProviderIterations, Strategy = DeploymentStrategy.BlueGreen };
                }
            }

            return _settings.Strategy switch
            {
                DeploymentStrategy.ABTesting => RunAB(),
                DeploymentStrategy.BlueGreen => RunBlueGreen(routes),
                _ => RunCanaryStrategy(routes),
            };
        }
    }
}
