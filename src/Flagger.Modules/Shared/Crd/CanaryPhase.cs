namespace Flagger.Modules.Shared.Crd;

/// <summary>The phases of <c>status.phase</c>, spelled as upstream (<c>pkg/apis/flagger/v1beta1/status.go</c>).</summary>
public enum CanaryPhase
{
    /// <summary>The empty phase of a canary that was never seen.</summary>
    None,
    Initializing,
    Initialized,
    Waiting,
    Progressing,
    WaitingPromotion,
    Promoting,
    Finalising,
    Succeeded,
    Failed,
    Terminating,
    Terminated,
}
