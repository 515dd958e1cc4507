namespace Flagger.Modules.Workloads.Transforms;

/// <summary>Label and annotation rules for objects copied to <c>-primary</c> (upstream <c>pkg/canary/util.go</c>).</summary>
internal static class PrimaryMetadata
{
    public const string FluxMarker = "toolkit.fluxcd.io";
    public const string FlaggerIdKey = "flagger-id";

    // upstream: pkg/canary/util.go filterMetadata
    public static Dictionary<string, string> WithoutFluxKeys(IDictionary<string, string>? meta) =>
        (meta ?? new Dictionary<string, string>())
            .Where(kv => !kv.Key.Contains(FluxMarker, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    // upstream: pkg/canary/util.go includeLabelsByPrefix
    public static Dictionary<string, string> IncludeByPrefix(IDictionary<string, string>? meta, IEnumerable<string> prefixes)
    {
        var list = prefixes.ToList();
        return (meta ?? new Dictionary<string, string>())
            .Where(kv => !kv.Key.Contains(FluxMarker, StringComparison.Ordinal)
                && list.Any(p => p == "*" || (p.Length > 0 && kv.Key.StartsWith(p, StringComparison.Ordinal))))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    // upstream: pkg/canary/util.go makePrimaryLabels
    public static Dictionary<string, string> PrimaryLabels(IDictionary<string, string>? labels, string label, string primaryValue)
    {
        var res = WithoutFluxKeys(labels);
        res[label] = primaryValue;
        return res;
    }

    // upstream: pkg/canary/util.go makeAnnotations (flagger-id: ours is derived from the promoted content, see FlaggerId)
    public static Dictionary<string, string> TemplateAnnotations(IDictionary<string, string>? annotations, string flaggerId)
    {
        var res = WithoutFluxKeys(annotations);
        res[FlaggerIdKey] = flaggerId;
        return res;
    }
}
