using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Workloads;

/// <summary>
/// Names workloads derive from a canary. Defaulted values (deadlines, thresholds, skipAnalysis) come from
/// <see cref="CanaryDefaults"/>, never from here.
/// </summary>
internal static class CanaryFacts
{
    public static string Namespace(Canary canary) => canary.Metadata.NamespaceProperty ?? "";

    public static string TargetName(Canary canary) =>
        canary.Spec.TargetRef?.Name is { Length: > 0 } name
            ? name
            : throw new WorkloadException($"invalid canary {canary.Metadata.Name}.{canary.Metadata.NamespaceProperty}: spec.targetRef.name is required");

    public static string PrimaryName(Canary canary) => TargetName(canary) + "-primary";

    public static bool IsInitializing(Canary canary) =>
        canary.Status?.Phase is null or "" or nameof(CanaryPhase.Initializing);
}
