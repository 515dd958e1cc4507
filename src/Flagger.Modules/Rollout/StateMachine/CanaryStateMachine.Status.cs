using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
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
                if (!ReferenceEquals(action, _marker))
                {
                    actions.Add(action);
                }
                else if (write is not null)
                {
                    actions.Add(write);
                    write = null;
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
}
