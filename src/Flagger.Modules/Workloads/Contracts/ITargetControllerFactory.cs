using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Workloads.Contracts;

/// <summary>Selects the <see cref="ITargetController"/> for a canary's <c>spec.targetRef.kind</c>.</summary>
public interface ITargetControllerFactory
{
    /// <summary>
    /// The controller for <paramref name="canary"/>. Throws <see cref="WorkloadException"/> with a message naming the
    /// field for an unsupported target kind or autoscaler kind: surface it as a Warning event and condition, do not fall back.
    /// </summary>
    ITargetController Create(Canary canary);
}
