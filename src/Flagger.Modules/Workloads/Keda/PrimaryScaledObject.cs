using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;

namespace Flagger.Modules.Workloads.Keda;

/// <summary>The <c>&lt;scaledobject&gt;-primary</c> KEDA ScaledObject, pure (upstream <c>pkg/canary/scaled_object_reconciler.go</c>).</summary>
internal static class PrimaryScaledObject
{
    /// <summary>
    /// The target's spec pointed at <c>&lt;target&gt;-primary</c>: the modelled fields copied, the HPA name (when set)
    /// suffixed <c>-primary</c>, trigger queries rewritten (<see cref="PrimaryQuery"/>), min/max overridden by
    /// <c>primaryScalerReplicas</c>.
    /// </summary>
    public static ScaledObjectSpec Spec(Canary canary, ScaledObject target)
    {
        var source = KubeObjects.Clone(target.Spec);
        var targetName = canary.Spec.TargetRef!.Name!;
        foreach (var trigger in source.Triggers)
        {
            SetPrimaryQuery(canary.Spec.AutoscalerRef?.PrimaryScalerQueries, targetName, trigger);
        }

        // upstream always materialises advanced.horizontalPodAutoscalerConfig; a set HPA name gets -primary
        source.Advanced ??= new AdvancedConfig();
        source.Advanced.HorizontalPodAutoscalerConfig ??= new HorizontalPodAutoscalerConfig();
        if (source.Advanced.HorizontalPodAutoscalerConfig.Name is { Length: > 0 } hpaName)
        {
            source.Advanced.HorizontalPodAutoscalerConfig.Name = hpaName + KubeObjects.PrimarySuffix;
        }

        var spec = new ScaledObjectSpec
        {
            ScaleTargetRef = new ScaleTarget
            {
                Name = targetName + KubeObjects.PrimarySuffix,
                Kind = source.ScaleTargetRef?.Kind,
                ApiVersion = source.ScaleTargetRef?.ApiVersion,
                EnvSourceContainerName = source.ScaleTargetRef?.EnvSourceContainerName,
            },
            PollingInterval = source.PollingInterval,
            CooldownPeriod = source.CooldownPeriod,
            MinReplicaCount = source.MinReplicaCount,
            MaxReplicaCount = source.MaxReplicaCount,
            Advanced = source.Advanced,
            Triggers = source.Triggers,
            Fallback = source.Fallback,
            IdleReplicaCount = source.IdleReplicaCount,
        };
        if (canary.Spec.AutoscalerRef?.PrimaryScalerReplicas is { } replicas)
        {
            spec.MinReplicaCount = replicas.MinReplicas ?? spec.MinReplicaCount;
            spec.MaxReplicaCount = replicas.MaxReplicas ?? spec.MaxReplicaCount;
        }

        return spec;
    }

    /// <summary>The primary ScaledObject as created: target's labels and annotations without Flux keys, owned by the canary.</summary>
    public static ScaledObject Create(Canary canary, ScaledObject target) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = target.Metadata.Name + KubeObjects.PrimarySuffix,
            NamespaceProperty = canary.Metadata.NamespaceProperty,
            Labels = PrimaryMetadata.WithoutFluxKeys(target.Metadata.Labels),
            // the target's annotations are carried over (KEDA's transfer-hpa-ownership annotation needs it), except the pause
            Annotations = WithoutPause(PrimaryMetadata.WithoutFluxKeys(target.Metadata.Annotations)),
            OwnerReferences = [KubeObjects.ControllerRef(canary)],
        },
        Spec = Spec(canary, target),
    };

    /// <summary>
    /// The primary with the target's spec, or null when the spec already matches. As upstream, the primary's own labels
    /// and annotations are filtered by <c>include-label-prefix</c> in the same update.
    /// </summary>
    public static ScaledObject? Sync(Canary canary, ScaledObject target, ScaledObject current, IEnumerable<string> includeLabelPrefix)
    {
        var desired = Spec(canary, target);
        if (KubeObjects.SameContent(desired, current.Spec))
        {
            return null;
        }

        var updated = KubeObjects.Clone(current);
        updated.Spec = desired;
        updated.Metadata.Annotations = PrimaryMetadata.IncludeByPrefix(current.Metadata.Annotations, includeLabelPrefix);
        updated.Metadata.Labels = PrimaryMetadata.IncludeByPrefix(current.Metadata.Labels, includeLabelPrefix);
        return updated;
    }

    /// <summary>
    /// <c>primaryScalerQueries[trigger.name]</c> when the map is set; otherwise the <c>query</c> metadata with
    /// <c>&lt;target&gt;-canary</c> and <c>&lt;target&gt;</c> both rewritten to <c>&lt;target&gt;-primary</c> (never
    /// <c>-primary-canary</c> or <c>-primary-primary</c>).
    /// </summary>
    public static void SetPrimaryQuery(IDictionary<string, string>? primaryScalerQueries, string targetName, ScaleTrigger trigger)
    {
        if (primaryScalerQueries is not null)
        {
            if (trigger.Name is { } name && primaryScalerQueries.TryGetValue(name, out var query))
            {
                trigger.Metadata["query"] = query;
            }

            return;
        }

        if (trigger.Metadata.TryGetValue("query", out var original))
        {
            trigger.Metadata["query"] = PrimaryQuery(original, targetName);
        }
    }

    /// <summary>Rewrites <c>&lt;target&gt;-canary</c> and <c>&lt;target&gt;</c> to <c>&lt;target&gt;-primary</c>.</summary>
    public static string PrimaryQuery(string query, string targetName)
    {
        var primary = targetName + KubeObjects.PrimarySuffix;
        var parts = query.Split(targetName + "-canary");
        return string.Join(primary, parts.Select(p => p.Replace(targetName, primary, StringComparison.Ordinal)));
    }

    private static Dictionary<string, string> WithoutPause(Dictionary<string, string> annotations)
    {
        annotations.Remove(ScaledObject.PausedReplicasAnnotation);
        return annotations;
    }
}
