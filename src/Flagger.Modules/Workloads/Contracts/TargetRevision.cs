namespace Flagger.Modules.Workloads.Contracts;

/// <summary>What the current target revision means for the canary.</summary>
public enum RevisionChange
{
    /// <summary>Same as <c>lastAppliedSpec</c>, or equal to <c>lastPromotedSpec</c> (manual rollback is a no-op).</summary>
    Unchanged,

    /// <summary>A new revision: start (or restart) a run.</summary>
    Changed,

    /// <summary>
    /// <c>lastAppliedSpec</c> was written by upstream Flagger (a foreign hash format): write <see cref="TargetRevision.Hash"/>
    /// to <c>lastAppliedSpec</c> once, without starting a run (ARCHITECTURE §9, takeover of a live Flagger cluster).
    /// </summary>
    AdoptForeignHash,
}

/// <summary>The target's revision hash (to store in <c>lastAppliedSpec</c>) and how it compares with the status.</summary>
public sealed record TargetRevision(string Hash, RevisionChange Change);

/// <summary>Our revision hash format: 16 lowercase hex characters (SHA-256 of canonical JSON, first 8 bytes).</summary>
public static class RevisionHashFormat
{
    /// <summary>
    /// True when <paramref name="hash"/> is set but not in our format, i.e. written by upstream Flagger
    /// (FNV-32a encoded with <c>SafeEncodeString</c>, at most 10 characters).
    /// </summary>
    public static bool IsForeign(string? hash) =>
        !string.IsNullOrEmpty(hash) && !(hash.Length == 16 && hash.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')));
}
