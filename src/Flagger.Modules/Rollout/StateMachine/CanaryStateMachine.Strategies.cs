using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
        // upstream: scheduler.go checkCanaryStatus (Initialized/Succeeded/Failed/Waiting with a new revision)
        private TickResult StartRun()
        {
            switch (ConfirmRollout())
            {
                case null:
                    return Need();
                case false:
                    return Finish("waiting for rollout approval");
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
            Route(TotalWeight, 0, false);
            Add(new RecordWeightMetric(TotalWeight, 0));
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
            Add(new RecordRunOutcome(true, _settings.Strategy.ToMetricLabel(), AnalysisSkipped: true));
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
                switch (ConfirmTrafficIncrease())
                {
                    case null:
                        return Need();
                    case false:
                        return Finish("waiting for traffic increase approval");
                }
            }

            return routes.CanaryWeight < _settings.MaxWeight ? IncreaseCanaryWeight(routes, step) : Promote("max weight reached");
        }

        // upstream: scheduler.go runCanary — mirroring (canary strategy) and the weight step
        private TickResult IncreaseCanaryWeight(RouteObservation routes, int step)
        {
            int primary, canary;
            var mirrored = routes.Mirrored;
            if (_settings.Mirroring && routes.CanaryWeight == 0)
            {
                // one interval of pure mirroring before shifting traffic
                (primary, canary, mirrored) = routes.Mirrored
                    ? (TotalWeight - step, step, false)
                    : (TotalWeight, 0, true);
            }
            else
            {
                primary = Math.Max(0, routes.PrimaryWeight - step);
                canary = Math.Min(TotalWeight, routes.CanaryWeight + step);
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

        // upstream: scheduler.go runAB
        private TickResult RunAB()
        {
            if (_settings.Iterations > Iterations)
            {
                if (!Route(0, TotalWeight, false))
                {
                    return Finish("canary cannot take traffic");
                }

                Add(new RecordWeightMetric(0, TotalWeight));
                SetIterations(Iterations + 1);
                Info($"Advance {NameNs} canary iteration {Iterations}/{_settings.Iterations}");
                return Finish($"A/B iteration {Iterations}");
            }

            return ConfirmPromotion() switch
            {
                null => Need(),
                false => Finish("waiting for promotion approval"),
                true => _settings.Iterations == Iterations ? PromoteApproved("iterations done") : Finish("iterations exceeded"),
            };
        }

        // upstream: scheduler.go runBlueGreen
        private TickResult RunBlueGreen(RouteObservation routes)
        {
            if (_settings.Iterations > Iterations)
            {
                if (!IsKubernetesProvider && _settings.Mirroring && !routes.Mirrored && !Route(TotalWeight, 0, true))
                {
                    return Finish("canary cannot take mirrored traffic");
                }

                SetIterations(Iterations + 1);
                Info($"Advance {NameNs} canary iteration {Iterations}/{_settings.Iterations}");
                return Finish($"blue/green iteration {Iterations}");
            }

            switch (ConfirmPromotion())
            {
                case null:
                    return Need();
                case false:
                    return Finish("waiting for promotion approval");
            }

            return _settings.Iterations == Iterations ? BlueGreenAllTrafficToCanary() : PromoteApproved("iterations done");
        }

        // upstream: scheduler.go runBlueGreen, the extra iteration that routes all traffic to the canary before promoting
        private TickResult BlueGreenAllTrafficToCanary()
        {
            if (!IsKubernetesProvider)
            {
                Info(_settings.Mirroring ? "Stop traffic mirroring and route all traffic to canary" : "Routing all traffic to canary");
                if (!Route(0, TotalWeight, false))
                {
                    return Finish("canary cannot take traffic");
                }

                Add(new RecordWeightMetric(0, TotalWeight));
            }

            SetIterations(Iterations + 1);
            return Finish(IsKubernetesProvider ? "blue/green: iterations done" : "blue/green: all traffic to canary");
        }

        private TickResult Promote(string why) => ConfirmPromotion() switch
        {
            null => Need(),
            true => PromoteApproved(why),
            false => Finish("waiting for promotion approval"),
        };

        private TickResult PromoteApproved(string why)
        {
            Info($"Copying {TargetNs} template spec to {Target}-primary.{Ns}");
            Add(new PromoteTarget(_obs.TargetRevision));
            SetPhase(CanaryPhase.Promoting);
            return Finish($"{why}: promoting");
        }

        // upstream: scheduler.go runPromotionTrafficShift
        private TickResult PromotionTrafficShift(RouteObservation routes)
        {
            if (IsKubernetesProvider)
            {
                SetPhase(CanaryPhase.Finalising);
                return Finish("promoting: finalising (kubernetes provider)");
            }

            if (_settings.StepWeightPromotion == 0 || routes.CanaryWeight == 0)
            {
                Info("Routing all traffic to primary");
                Route(TotalWeight, 0, false);
                Add(new RecordWeightMetric(TotalWeight, 0));
                SetPhase(CanaryPhase.Finalising);
                return Finish("promoting: all traffic to primary");
            }

            var primary = Math.Min(TotalWeight, routes.PrimaryWeight + _settings.StepWeightPromotion);
            var canary = Math.Max(0, routes.CanaryWeight - _settings.StepWeightPromotion);
            if (!Route(primary, canary, false))
            {
                return Finish("canary cannot take traffic");
            }

            Add(new RecordWeightMetric(primary, canary));
            Info($"Advance {NameNs} primary weight {primary}");
            if (primary == TotalWeight)
            {
                SetPhase(CanaryPhase.Finalising);
                return Finish("promoting: traffic shifted to primary");
            }

            SetWeight(canary);
            return Finish($"promoting: primary weight {primary}");
        }

        // upstream: scheduler.go advanceCanary, Finalising: scale the canary down and mark the run Succeeded
        private TickResult Finalising()
        {
            if (_settings.HasAutoscaler)
            {
                Add(new PauseTargetScaler());
            }

            Add(new ScaleTargetToZero());
            SetPhase(CanaryPhase.Succeeded);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Succeeded));
            Add(new RecordRunOutcome(true, _settings.Strategy.ToMetricLabel(), AnalysisSkipped: false));
            Add(new RunPostRolloutHooks(CanaryPhase.Succeeded));
            Info($"Promotion completed! Scaling down {TargetNs}");
            Alert(AlertSeverity.Info, "Canary analysis completed successfully, promotion finished.", withMetadata: false);
            return Finish("succeeded");
        }
    }
}
