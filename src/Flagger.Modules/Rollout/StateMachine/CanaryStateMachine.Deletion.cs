using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
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
            if (!wasTerminating || _obs.Canary.Readiness != ReadinessState.Ready || _obs.Canary.Scale == ScaleState.Zero)
            {
                return Finish("terminating: waiting for the reverted target");
            }

            Add(new RevertServices());
            Add(new RevertMeshRoutes());
            Add(new RemoveFinalizer());
            Info($"Terminated canary {NameNs}");
            return Finish("terminated");
        }
    }
}
