using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>The <c>-primary</c>/<c>-canary</c> copies of a Service target (upstream <c>pkg/canary/service_controller.go</c>).</summary>
internal static class ServiceCopies
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// A copy of <paramref name="source"/> named <paramref name="name"/>, owned by the canary, without the kubectl
    /// last-applied annotation, with <c>service.trafficDistribution</c>. When <paramref name="current"/> exists its cluster
    /// IPs are kept; on creation they are cleared (except headless <c>None</c>) and node ports are left to the server.
    /// </summary>
    // upstream: service_controller.go buildService / createService / reconcileCanaryService
    public static V1Service Build(Canary canary, string name, V1Service source, V1Service? current)
    {
        var spec = KubeObjects.Clone(source.Spec ?? new V1ServiceSpec());
        if (canary.Spec.Service?.TrafficDistribution is { Length: > 0 } distribution)
        {
            spec.TrafficDistribution = distribution;
        }

        PreserveAllocations(spec, current?.Spec);
        var annotations = source.Metadata.Annotations is null ? null : new Dictionary<string, string>(source.Metadata.Annotations);
        annotations?.Remove(LastAppliedAnnotation);
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = canary.Metadata.NamespaceProperty,
                Labels = source.Metadata.Labels is null ? null : new Dictionary<string, string>(source.Metadata.Labels),
                Annotations = annotations,
                OwnerReferences = [KubeObjects.ControllerRef(canary)],
                ResourceVersion = current?.Metadata.ResourceVersion,
            },
            Spec = spec,
        };
    }

    /// <summary>The primary after promotion: target spec, metadata filtered by <c>include-label-prefix</c>; its owners are kept.</summary>
    // upstream: service_controller.go Promote
    public static V1Service Promote(V1Service current, V1Service target, IEnumerable<string> includeLabelPrefix)
    {
        var primary = KubeObjects.Clone(current);
        primary.Spec = KubeObjects.Clone(target.Spec ?? new V1ServiceSpec());
        PreserveAllocations(primary.Spec, current.Spec);
        var prefixes = includeLabelPrefix.ToList();
        primary.Metadata.Annotations = PrimaryMetadata.IncludeByPrefix(target.Metadata.Annotations, prefixes);
        primary.Metadata.Labels = PrimaryMetadata.IncludeByPrefix(target.Metadata.Labels, prefixes);
        return primary;
    }

    public static bool UpToDate(V1Service desired, V1Service current) =>
        KubeObjects.SameContent(desired.Spec, current.Spec)
        && KubeObjects.SameContent(desired.Metadata.Labels ?? new Dictionary<string, string>(), current.Metadata.Labels ?? new Dictionary<string, string>())
        && KubeObjects.SameContent(desired.Metadata.Annotations ?? new Dictionary<string, string>(), current.Metadata.Annotations ?? new Dictionary<string, string>())
        && KubeObjects.SameContent(desired.Metadata.OwnerReferences ?? [], current.Metadata.OwnerReferences ?? []);

    private static void PreserveAllocations(V1ServiceSpec spec, V1ServiceSpec? current)
    {
        if (spec.ClusterIP == "None")
        {
            return;
        }

        spec.ClusterIP = current?.ClusterIP;
        spec.ClusterIPs = current?.ClusterIPs;
        foreach (var port in spec.Ports ?? [])
        {
            port.NodePort = current?.Ports?.FirstOrDefault(p => p.Port == port.Port && p.Protocol == port.Protocol)?.NodePort;
        }
    }
}
