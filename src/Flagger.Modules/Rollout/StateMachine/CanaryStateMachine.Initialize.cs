using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
        /// <summary>Providers whose routes must exist before the primary is created (App Mesh).</summary>
        private bool RoutesBeforePrimary => _settings.Capabilities?.RoutesBeforePrimary == true;

        // upstream: scheduler.go advanceCanary steps 5-13; null = initialized earlier, go on with the analysis
        private TickResult? Initialize()
        {
            var initPhase = _phase is CanaryPhase.None or CanaryPhase.Initializing;
            Add(new EnsureCanaryAndPrimaryServices());
            if (!_settings.SkipAnalysis && initPhase)
            {
                Add(new CheckMetricProviders());
            }

            if (RoutesBeforePrimary)
            {
                Add(new EnsureMeshRoutes());
            }

            Add(new EnsurePrimaryWorkload());
            if (initPhase && !_settings.SkipAnalysis && PrimaryNotReadyDuringInitialization() is { } waiting)
            {
                return waiting;
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

            if (!RoutesBeforePrimary)
            {
                Add(new EnsureMeshRoutes());
            }

            return initPhase ? Initialized() : null;
        }

        private TickResult? PrimaryNotReadyDuringInitialization()
        {
            switch (_obs.Primary.Readiness)
            {
                case ReadinessState.NotReady:
                    // Waiting for a primary that is rolling out is the healthy path of every initialization: a Normal
                    // event (upstream records it as a Warning). On the first sight of the canary the primary was observed
                    // before this tick creates it, so its "not found" is stale: say what is really happening.
                    // A Knative target has no -primary workload: its primary is a revision, named by its own message.
                    var knative = KnownValues.IsKnativeTarget(_canary.Spec);
                    Info((_canary.Status?.Conditions is not { Count: > 0 } && !knative) || _obs.Primary.Message is null
                        ? knative ? $"{TargetNs} primary revision not ready: waiting for it" : $"{Target}-primary.{Ns} not ready: waiting for rollout to finish"
                        : _obs.Primary.Message);
                    return Finish("initializing: waiting for the primary");
                case ReadinessState.DeadlineExceeded:
                    Warn(_obs.Primary.Message ?? $"{Target}-primary.{Ns} progress deadline exceeded");
                    Rollback();
                    return Finish("initializing: primary progress deadline exceeded, rolled back");
                default:
                    return null;
            }
        }

        // upstream: scheduler.go setPhaseInitialized
        private Decision Initialized()
        {
            SyncStatus(CanaryPhase.Initialized);
            MarkStatusWrite();
            Add(new RecordStatusMetric(CanaryPhase.Initialized));
            Info($"Initialization done! {NameNs}");
            Alert(AlertSeverity.Info, $"New {Kind} detected, initialization completed.", withMetadata: true);
            return Finish("initialized");
        }
    }
}
