using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>What a primary copy is built from: the selector label, tracked config keys, the flagger-id and the options.</summary>
internal sealed record PrimaryInputs(
    string Label,
    string LabelValue,
    IReadOnlySet<string> TrackedConfigKeys,
    string FlaggerId,
    IReadOnlyList<string> SelectorLabels,
    IReadOnlyList<string> IncludeLabelPrefix)
{
    public string PrimaryValue => LabelValue + KubeObjects.PrimarySuffix;
}

/// <summary>The desired <c>&lt;target&gt;-primary</c> Deployment/DaemonSet, on creation and on promotion.</summary>
internal static class PrimaryWorkloads
{
    // upstream: pkg/canary/deployment_controller.go createPrimaryDeployment
    public static V1Deployment CreateDeployment(Canary canary, V1Deployment target, PrimaryInputs inputs) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = CreationMeta(canary, target.Metadata, inputs),
        Spec = new V1DeploymentSpec
        {
            ProgressDeadlineSeconds = target.Spec.ProgressDeadlineSeconds,
            MinReadySeconds = target.Spec.MinReadySeconds,
            RevisionHistoryLimit = target.Spec.RevisionHistoryLimit,
            Replicas = target.Spec.Replicas is > 0 ? target.Spec.Replicas : 1,
            Strategy = target.Spec.Strategy is null ? null : KubeObjects.Clone(target.Spec.Strategy),
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [inputs.Label] = inputs.PrimaryValue } },
            Template = Template(target.Spec.Template, DeploymentPodSpec(target, inputs), inputs),
        },
    };

    // upstream: pkg/canary/deployment_controller.go Promote
    public static V1Deployment PromoteDeployment(Canary canary, V1Deployment current, V1Deployment target, PrimaryInputs inputs)
    {
        var primary = KubeObjects.Clone(current);
        primary.Spec.ProgressDeadlineSeconds = target.Spec.ProgressDeadlineSeconds;
        primary.Spec.MinReadySeconds = target.Spec.MinReadySeconds;
        primary.Spec.RevisionHistoryLimit = target.Spec.RevisionHistoryLimit;
        primary.Spec.Strategy = target.Spec.Strategy is null ? null : KubeObjects.Clone(target.Spec.Strategy);
        if (canary.Spec.AutoscalerRef is null)
        {
            primary.Spec.Replicas = target.Spec.Replicas;
        }

        primary.Spec.Template = Template(target.Spec.Template, DeploymentPodSpec(target, inputs), inputs);
        PromotionMeta(primary.Metadata, target.Metadata, inputs);
        return primary;
    }

    // upstream: pkg/canary/daemonset_controller.go createPrimaryDaemonSet
    public static V1DaemonSet CreateDaemonSet(Canary canary, V1DaemonSet target, PrimaryInputs inputs) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "DaemonSet",
        Metadata = CreationMeta(canary, target.Metadata, inputs),
        Spec = new V1DaemonSetSpec
        {
            MinReadySeconds = target.Spec.MinReadySeconds,
            RevisionHistoryLimit = target.Spec.RevisionHistoryLimit,
            UpdateStrategy = target.Spec.UpdateStrategy is null ? null : KubeObjects.Clone(target.Spec.UpdateStrategy),
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [inputs.Label] = inputs.PrimaryValue } },
            Template = Template(target.Spec.Template, DaemonSetPodSpec(target, inputs), inputs),
        },
    };

    // upstream: pkg/canary/daemonset_controller.go Promote
    public static V1DaemonSet PromoteDaemonSet(V1DaemonSet current, V1DaemonSet target, PrimaryInputs inputs)
    {
        var primary = KubeObjects.Clone(current);
        primary.Spec.MinReadySeconds = target.Spec.MinReadySeconds;
        primary.Spec.RevisionHistoryLimit = target.Spec.RevisionHistoryLimit;
        primary.Spec.UpdateStrategy = target.Spec.UpdateStrategy is null ? null : KubeObjects.Clone(target.Spec.UpdateStrategy);
        primary.Spec.Template = Template(target.Spec.Template, DaemonSetPodSpec(target, inputs), inputs);
        PromotionMeta(primary.Metadata, target.Metadata, inputs);
        return primary;
    }

    /// <summary>True when the current object already carries the desired spec, labels and annotations.</summary>
    public static bool UpToDate(V1ObjectMeta desiredMeta, object desiredSpec, V1ObjectMeta currentMeta, object currentSpec) =>
        KubeObjects.SameContent(desiredSpec, currentSpec)
        && KubeObjects.SameContent(desiredMeta.Labels ?? new Dictionary<string, string>(), currentMeta.Labels ?? new Dictionary<string, string>())
        && KubeObjects.SameContent(desiredMeta.Annotations ?? new Dictionary<string, string>(), currentMeta.Annotations ?? new Dictionary<string, string>());

    /// <summary>
    /// Tracked refs suffixed <c>-primary</c>; in topology spread constraints and pod anti-affinity (preferred and
    /// required) selectors, values under selector-label keys equal to the Deployment <b>name</b> get <c>-primary</c>.
    /// </summary>
    // upstream: deployment_controller.go getPrimaryDeploymentTemplateSpec
    public static V1PodSpec DeploymentPodSpec(V1Deployment target, PrimaryInputs inputs)
    {
        var spec = ConfigTracking.RewriteToPrimary(target.Spec.Template?.Spec ?? new V1PodSpec(), inputs.TrackedConfigKeys);
        var name = target.Metadata.Name;
        foreach (var constraint in spec.TopologySpreadConstraints ?? [])
        {
            AppendPrimarySuffix(constraint.LabelSelector, name, inputs.SelectorLabels);
        }

        if (spec.Affinity?.PodAntiAffinity is { } anti)
        {
            foreach (var preferred in anti.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            {
                AppendPrimarySuffix(preferred.PodAffinityTerm?.LabelSelector, name, inputs.SelectorLabels);
            }

            foreach (var required in anti.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
            {
                AppendPrimarySuffix(required.LabelSelector, name, inputs.SelectorLabels);
            }
        }

        return spec;
    }

    /// <summary>Tracked refs suffixed <c>-primary</c>; the scale-to-zero nodeSelector is never copied (no affinity rewrite, as upstream).</summary>
    public static V1PodSpec DaemonSetPodSpec(V1DaemonSet target, PrimaryInputs inputs)
    {
        var spec = ConfigTracking.RewriteToPrimary(target.Spec.Template?.Spec ?? new V1PodSpec(), inputs.TrackedConfigKeys);
        spec.NodeSelector?.Remove(RevisionHash.ScaleToZeroKey);
        return spec;
    }

    private static void AppendPrimarySuffix(V1LabelSelector? selector, string targetName, IReadOnlyList<string> selectorLabels)
    {
        if (selector is null)
        {
            return;
        }

        foreach (var expression in selector.MatchExpressions ?? [])
        {
            if (selectorLabels.Contains(expression.Key) && expression.Values is { } values)
            {
                for (var i = 0; i < values.Count; i++)
                {
                    if (values[i] == targetName)
                    {
                        values[i] += KubeObjects.PrimarySuffix;
                        break;
                    }
                }
            }
        }

        if (selector.MatchLabels is { } matchLabels)
        {
            foreach (var key in matchLabels.Keys.ToList())
            {
                if (selectorLabels.Contains(key) && matchLabels[key] == targetName)
                {
                    matchLabels[key] = targetName + KubeObjects.PrimarySuffix;
                }
            }
        }
    }

    private static V1PodTemplateSpec Template(V1PodTemplateSpec? source, V1PodSpec spec, PrimaryInputs inputs) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Labels = PrimaryMetadata.PrimaryLabels(source?.Metadata?.Labels, inputs.Label, inputs.PrimaryValue),
            Annotations = PrimaryMetadata.TemplateAnnotations(source?.Metadata?.Annotations, inputs.FlaggerId),
        },
        Spec = spec,
    };

    private static V1ObjectMeta CreationMeta(Canary canary, V1ObjectMeta target, PrimaryInputs inputs) => new()
    {
        Name = target.Name + KubeObjects.PrimarySuffix,
        NamespaceProperty = canary.Metadata.NamespaceProperty,
        Labels = PrimaryMetadata.PrimaryLabels(PrimaryMetadata.IncludeByPrefix(target.Labels, inputs.IncludeLabelPrefix), inputs.Label, inputs.PrimaryValue),
        // upstream quirk (§12.15): annotations are copied unfiltered (minus Flux keys) on creation
        Annotations = PrimaryMetadata.WithoutFluxKeys(target.Annotations),
        OwnerReferences = [KubeObjects.ControllerRef(canary)],
    };

    private static void PromotionMeta(V1ObjectMeta primary, V1ObjectMeta target, PrimaryInputs inputs)
    {
        primary.Annotations = PrimaryMetadata.IncludeByPrefix(target.Annotations, inputs.IncludeLabelPrefix);
        primary.Labels = PrimaryMetadata.PrimaryLabels(PrimaryMetadata.IncludeByPrefix(target.Labels, inputs.IncludeLabelPrefix), inputs.Label, inputs.PrimaryValue);
    }
}
