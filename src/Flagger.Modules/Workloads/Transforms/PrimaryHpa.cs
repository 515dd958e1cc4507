using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>The <c>&lt;hpa&gt;-primary</c> HorizontalPodAutoscaler (autoscaling/v2), upstream <c>pkg/canary/hpa_reconciler.go</c>.</summary>
internal static class PrimaryHpa
{
    /// <summary>Target HPA's spec pointed at <c>&lt;target&gt;-primary</c>, min/max overridden by <c>primaryScalerReplicas</c>.</summary>
    public static V2HorizontalPodAutoscalerSpec Spec(Canary canary, V2HorizontalPodAutoscaler target)
    {
        var source = KubeObjects.Clone(target.Spec ?? new V2HorizontalPodAutoscalerSpec());
        var spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference
            {
                Name = canary.Spec.TargetRef!.Name + KubeObjects.PrimarySuffix,
                Kind = source.ScaleTargetRef?.Kind,
                ApiVersion = source.ScaleTargetRef?.ApiVersion,
            },
            MinReplicas = source.MinReplicas,
            MaxReplicas = source.MaxReplicas,
            Metrics = source.Metrics,
            Behavior = source.Behavior,
        };
        if (canary.Spec.AutoscalerRef?.PrimaryScalerReplicas is { } replicas)
        {
            spec.MinReplicas = replicas.MinReplicas ?? spec.MinReplicas;
            spec.MaxReplicas = replicas.MaxReplicas ?? spec.MaxReplicas;
        }

        return spec;
    }

    public static V2HorizontalPodAutoscaler Create(Canary canary, V2HorizontalPodAutoscaler target) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = new V1ObjectMeta
        {
            Name = target.Metadata.Name + KubeObjects.PrimarySuffix,
            NamespaceProperty = canary.Metadata.NamespaceProperty,
            Labels = PrimaryMetadata.WithoutFluxKeys(target.Metadata.Labels),
            OwnerReferences = [KubeObjects.ControllerRef(canary)],
        },
        Spec = Spec(canary, target),
    };

    /// <summary>
    /// The primary HPA with min/max/metrics/behavior synced, or null when nothing differs. Labels and annotations are
    /// left as created (upstream quirk §12.6: its metadata update never takes effect).
    /// </summary>
    public static V2HorizontalPodAutoscaler? Sync(Canary canary, V2HorizontalPodAutoscaler target, V2HorizontalPodAutoscaler current)
    {
        var desired = Spec(canary, target);
        var spec = current.Spec ?? new V2HorizontalPodAutoscalerSpec();
        if (KubeObjects.SameContent(desired.Metrics, spec.Metrics)
            && KubeObjects.SameContent(desired.Behavior, spec.Behavior)
            && (desired.MinReplicas ?? 1) == (spec.MinReplicas ?? 1)
            && desired.MaxReplicas == spec.MaxReplicas)
        {
            return null;
        }

        var updated = KubeObjects.Clone(current);
        updated.Spec ??= new V2HorizontalPodAutoscalerSpec();
        updated.Spec.MinReplicas = desired.MinReplicas;
        updated.Spec.MaxReplicas = desired.MaxReplicas;
        updated.Spec.Metrics = desired.Metrics;
        updated.Spec.Behavior = desired.Behavior;
        return updated;
    }
}
