using System.Text.RegularExpressions;

namespace Flagger.Modules.Rollout.StateMachine;

/// <summary>What new-revision detection found.</summary>
internal enum RevisionChange
{
    Unchanged,
    Changed,

    /// <summary><c>lastAppliedSpec</c> is an upstream Flagger hash: adopt ours once, without starting a run (ARCHITECTURE §9).</summary>
    AdoptForeign,
}

/// <summary>New-revision detection (inventory §2.5) with the takeover rule of ARCHITECTURE §9.</summary>
internal static partial class RevisionComparer
{
    /// <summary>
    /// upstream: pkg/canary/spec.go ComputeHash — FNV-32a decimal passed through <c>rand.SafeEncodeString</c>: 1–10
    /// characters of <c>bcdfghjklmnpqrstvwxz2456789</c>. Our hashes must never match this (e.g. 16 hex characters).
    /// </summary>
    public static bool IsUpstreamFormat(string? hash) => hash is not null && UpstreamHash().IsMatch(hash);

    /// <summary>
    /// upstream: pkg/canary/spec.go hasSpecChanged + pkg/canary/config_tracker.go HasConfigChanged. Config changes win;
    /// then an empty <c>lastAppliedSpec</c> is a change; a foreign one is adopted; a hash equal to
    /// <c>lastPromotedSpec</c> is not a change (manual rollback is a no-op).
    /// </summary>
    public static RevisionChange Compare(
        string? lastAppliedSpec,
        string? lastPromotedSpec,
        IReadOnlyDictionary<string, string>? trackedConfigs,
        string targetRevision,
        IReadOnlyDictionary<string, string>? currentConfigs)
    {
        if (ConfigsChanged(trackedConfigs, currentConfigs))
        {
            return RevisionChange.Changed;
        }

        if (string.IsNullOrEmpty(lastAppliedSpec))
        {
            return RevisionChange.Changed;
        }

        if (lastAppliedSpec != targetRevision && IsUpstreamFormat(lastAppliedSpec))
        {
            return RevisionChange.AdoptForeign;
        }

        if (lastPromotedSpec == targetRevision)
        {
            return RevisionChange.Unchanged;
        }

        return lastAppliedSpec != targetRevision ? RevisionChange.Changed : RevisionChange.Unchanged;
    }

    /// <summary>upstream: ConfigTracker.HasConfigChanged — configs exist and none tracked; count differs; any checksum differs.</summary>
    public static bool ConfigsChanged(IReadOnlyDictionary<string, string>? tracked, IReadOnlyDictionary<string, string>? current)
    {
        // null = config tracking disabled (upstream NopTracker)
        if (current is null || (current.Count == 0 && tracked is null))
        {
            return false;
        }

        if (tracked is null || tracked.Count != current.Count)
        {
            return true;
        }

        return current.Any(kv => !tracked.TryGetValue(kv.Key, out var old) || old != kv.Value);
    }

    [GeneratedRegex("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$")]
    private static partial Regex UpstreamHash();
}
