using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>The desired <c>&lt;name&gt;-primary</c> ConfigMap/Secret (upstream <c>config_tracker.go CreatePrimaryConfigs</c>).</summary>
internal static class PrimaryConfigs
{
    public static V1ConfigMap ConfigMap(Canary canary, V1ConfigMap source, V1ConfigMap? current, IEnumerable<string> includeLabelPrefix) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Meta(canary, source.Metadata, current?.Metadata, includeLabelPrefix),
        Data = source.Data is null ? null : new Dictionary<string, string>(source.Data),
    };

    public static V1Secret Secret(Canary canary, V1Secret source, V1Secret? current, IEnumerable<string> includeLabelPrefix) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = Meta(canary, source.Metadata, current?.Metadata, includeLabelPrefix),
        Type = source.Type,
        Data = source.Data is null ? null : source.Data.ToDictionary(kv => kv.Key, kv => kv.Value),
    };

    /// <summary>True when <paramref name="current"/> already has the desired data, type, labels, annotations and owners.</summary>
    public static bool UpToDate(V1ConfigMap desired, V1ConfigMap current) =>
        KubeObjects.SameContent(desired.Data ?? new Dictionary<string, string>(), current.Data ?? new Dictionary<string, string>())
        && SameMeta(desired.Metadata, current.Metadata);

    public static bool UpToDate(V1Secret desired, V1Secret current) =>
        KubeObjects.SameContent(desired.Data ?? new Dictionary<string, byte[]>(), current.Data ?? new Dictionary<string, byte[]>())
        && desired.Type == current.Type
        && SameMeta(desired.Metadata, current.Metadata);

    private static V1ObjectMeta Meta(Canary canary, V1ObjectMeta source, V1ObjectMeta? current, IEnumerable<string> includeLabelPrefix)
    {
        var owners = new List<V1OwnerReference> { KubeObjects.ControllerRef(canary) };
        // shared configs: other canaries' references are kept, demoted to non-controller
        foreach (var other in current?.OwnerReferences ?? [])
        {
            if (other.Kind != Canary.KubeKind || other.Name != canary.Metadata.Name)
            {
                var copy = KubeObjects.Clone(other);
                copy.Controller = false;
                owners.Add(copy);
            }
        }

        return new V1ObjectMeta
        {
            Name = source.Name + KubeObjects.PrimarySuffix,
            NamespaceProperty = canary.Metadata.NamespaceProperty,
            Labels = PrimaryMetadata.IncludeByPrefix(source.Labels, includeLabelPrefix),
            OwnerReferences = owners,
            ResourceVersion = current?.ResourceVersion,
        };
    }

    private static bool SameMeta(V1ObjectMeta desired, V1ObjectMeta current) =>
        KubeObjects.SameContent(desired.Labels ?? new Dictionary<string, string>(), current.Labels ?? new Dictionary<string, string>())
        && KubeObjects.SameContent(desired.Annotations ?? new Dictionary<string, string>(), current.Annotations ?? new Dictionary<string, string>())
        && KubeObjects.SameContent(desired.OwnerReferences ?? [], current.OwnerReferences ?? []);
}
