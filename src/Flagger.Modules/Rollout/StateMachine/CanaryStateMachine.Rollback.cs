using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
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
                Route(TotalWeight, 0, false);
            }

            Warn($"Canary failed! Scaling down {NameNs}");
            Add(new RecordWeightMetric(TotalWeight, 0));
            if (_settings.HasAutoscaler)
            {
                Add(new PauseTargetScaler());
            }

            Add(new ScaleTargetToZero());
            SyncStatus(CanaryPhase.Failed);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Failed));
            Add(new RecordRunOutcome(false, _settings.Strategy.ToMetricLabel(), AnalysisSkipped: false));
            Add(new RunPostRolloutHooks(CanaryPhase.Failed));
        }

        // upstream: scheduler.go handleFailedPromotion (v1.44)
        private void FailedPromotion(string message)
        {
            Warn($"Promotion of {TargetNs} failed, primary not ready: {message}");
            Alert(AlertSeverity.Error, $"Promotion failed, primary not ready: {message}", withMetadata: false);
            var canaryWeight = CanaryCanTakeTraffic ? TotalWeight : 0;
            Route(TotalWeight - canaryWeight, canaryWeight, false);
            Add(new RecordWeightMetric(TotalWeight - canaryWeight, canaryWeight));
            SyncStatus(CanaryPhase.Failed, canaryWeight);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Failed));
            Add(new RecordRunOutcome(false, _settings.Strategy.ToMetricLabel(), AnalysisSkipped: false));
            Add(new RunPostRolloutHooks(CanaryPhase.Failed));
        }
    }
}
