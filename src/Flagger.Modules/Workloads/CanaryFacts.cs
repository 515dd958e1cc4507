using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;

namespace Flagger.Modules.Workloads;

/// <summary>The canary fields workloads read, with upstream's defaults (<c>pkg/apis/flagger/v1beta1/canary.go</c>).</summary>
internal static class CanaryFacts
{
    public static string Namespace(Canary canary) => canary.Metadata.NamespaceProperty ?? "";

    public static string TargetName(Canary canary) =>
        canary.Spec.TargetRef?.Name is { Length: > 0 } name
            ? name
            : throw new WorkloadException($"invalid canary {canary.Metadata.Name}.{canary.Metadata.NamespaceProperty}: spec.targetRef.name is required");

    public static string PrimaryName(Canary canary) => TargetName(canary) + "-primary";

    public static int ProgressDeadlineSeconds(Canary canary) => canary.Spec.ProgressDeadlineSeconds ?? 600;

    public static int PrimaryReadyThreshold(Canary canary) => canary.Spec.Analysis?.PrimaryReadyThreshold ?? 100;

    public static int CanaryReadyThreshold(Canary canary) => canary.Spec.Analysis?.CanaryReadyThreshold ?? 100;

    /// <summary>Upstream <c>SkipAnalysis()</c>: explicit <c>skipAnalysis</c>, or no analysis at all.</summary>
    public static bool SkipAnalysis(Canary canary) => canary.Spec.SkipAnalysis == true || canary.Spec.Analysis is null;

    public static bool IsInitializing(Canary canary) =>
        canary.Status?.Phase is null or "" or nameof(CanaryPhase.Initializing);
}
