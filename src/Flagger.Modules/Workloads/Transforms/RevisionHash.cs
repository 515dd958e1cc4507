using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>
/// Our revision hash (ARCHITECTURE §9): hex of the first 8 bytes of SHA-256 over the canonical JSON of the pod template
/// (Service targets: the Service spec). Upstream's FNV/spew hash cannot be reproduced; a foreign hash in the status is
/// adopted once instead of starting a run.
/// </summary>
internal static class RevisionHash
{
    public const string ScaleToZeroKey = "flagger.app/scale-to-zero";

    // Objects handed out by IKubeCache are immutable snapshots (a watch event brings a new instance), so a hash can be
    // remembered per instance: an idle canary re-hashes nothing.
    private static readonly ConditionalWeakTable<object, string> Hashes = new();
    private static readonly ConditionalWeakTable<V1PodTemplateSpec, string> DaemonSetHashes = new();

    public static string Compute(object? spec) => KubeObjects.ShortSha256(KubeObjects.CanonicalJson(spec));

    /// <summary><see cref="Compute"/> remembered per instance; only for objects that are never mutated (cache snapshots).</summary>
    public static string OfSnapshot(object? spec) => spec is null ? Compute(null) : Hashes.GetValue(spec, Compute);

    /// <summary>DaemonSet templates ignore the scale-to-zero nodeSelector, and an empty nodeSelector equals none.</summary>
    // upstream: pkg/canary/daemonset_status.go SyncStatus normalisation
    public static string OfDaemonSetTemplate(V1PodTemplateSpec template) => Compute(WithoutScaleToZero(template));

    /// <summary><see cref="OfDaemonSetTemplate"/> remembered per instance of a cache snapshot.</summary>
    public static string OfDaemonSetSnapshot(V1PodTemplateSpec? template) =>
        template is null ? Compute(null) : DaemonSetHashes.GetValue(template, OfDaemonSetTemplate);

    public static V1PodTemplateSpec WithoutScaleToZero(V1PodTemplateSpec template)
    {
        var copy = KubeObjects.Clone(template);
        if (copy.Spec?.NodeSelector is { } selector)
        {
            selector.Remove(ScaleToZeroKey);
            if (selector.Count == 0)
            {
                copy.Spec.NodeSelector = null;
            }
        }

        return copy;
    }

    /// <summary>
    /// The <c>flagger-id</c> template annotation: UUID-shaped, derived from the promoted revision and tracked-config
    /// checksums. Upstream uses a random UUID per promotion to force a rolling update; a content-derived id still changes
    /// with every new revision or config change, but repeating a promotion (retry after a crash) writes nothing.
    /// </summary>
    public static string FlaggerId(string revisionHash, IReadOnlyDictionary<string, string>? trackedConfigs)
    {
        var sb = new StringBuilder(revisionHash).Append('\n');
        foreach (var (key, value) in (trackedConfigs ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(key).Append('=').Append(value).Append('\n');
        }

        var b = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())).AsSpan(0, 16).ToArray();
        b[6] = (byte)((b[6] & 0x0f) | 0x40);
        b[8] = (byte)((b[8] & 0x3f) | 0x80);
        var hex = Convert.ToHexStringLower(b);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
