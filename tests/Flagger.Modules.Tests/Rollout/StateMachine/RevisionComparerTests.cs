using Flagger.Modules.Rollout.StateMachine;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

public sealed class RevisionComparerTests
{
    [Theory]
    [InlineData("5d8f9b7c4", true)] // upstream SafeEncodeString of an FNV-32a decimal
    [InlineData("bcdfghjklm", true)]
    [InlineData("bcdfghjklmn", false)] // 11 characters: longer than any uint32 decimal
    [InlineData("0123456789abcdef", false)] // our hex hash
    [InlineData("rev-one-0001", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Upstream_hash_format_is_recognised(string? hash, bool upstream) =>
        Assert.Equal(upstream, RevisionComparer.IsUpstreamFormat(hash));

    public static TheoryData<string, string?, string?, string, string> TargetCases => new()
    {
        { "never applied", null, null, "a1b2c3d4e5f6a7b8", nameof(RevisionChange.Changed) },
        { "same as applied", "a1b2c3d4e5f6a7b8", "0000000000000000", "a1b2c3d4e5f6a7b8", nameof(RevisionChange.Unchanged) },
        { "different from applied", "a1b2c3d4e5f6a7b8", "0000000000000000", "ffffffffffffffff", nameof(RevisionChange.Changed) },
        { "back to the promoted revision (manual rollback)", "a1b2c3d4e5f6a7b8", "ffffffffffffffff", "ffffffffffffffff", nameof(RevisionChange.Unchanged) },
        { "upstream-format applied hash", "5d8f9b7c4", "5d8f9b7c4", "a1b2c3d4e5f6a7b8", nameof(RevisionChange.AdoptForeign) },
    };

    [Theory]
    [MemberData(nameof(TargetCases))]
    public void Target_revision_changes(string behaviour, string? applied, string? promoted, string current, string expected)
    {
        Assert.NotEmpty(behaviour);
        Assert.Equal(Enum.Parse<RevisionChange>(expected), RevisionComparer.Compare(applied, promoted, null, current, null));
    }

    [Fact]
    public void A_config_change_wins_over_the_takeover_rule() =>
        Assert.Equal(RevisionChange.Changed, RevisionComparer.Compare(
            "5d8f9b7c4", "5d8f9b7c4", new Dictionary<string, string> { ["configmap/a"] = "1" }, "x-hash-000000001", new Dictionary<string, string> { ["configmap/a"] = "2" }));

    [Theory]
    [InlineData(null, null, false)] // tracking disabled
    [InlineData("", null, false)] // no configs, none tracked
    [InlineData("configmap/a=1", null, true)] // configs exist, none tracked
    [InlineData("configmap/a=1", "configmap/a=1", false)]
    [InlineData("configmap/a=2", "configmap/a=1", true)] // checksum changed
    [InlineData("configmap/a=1,secret/b=2", "configmap/a=1", true)] // count differs
    [InlineData("", "configmap/a=1", true)] // a tracked config was removed
    [InlineData("configmap/c=1", "configmap/a=1", true)] // same count, other config
    public void Config_changes_follow_upstreams_tracker(string? current, string? tracked, bool changed) =>
        Assert.Equal(changed, RevisionComparer.ConfigsChanged(Map(tracked), Map(current)));

    private static Dictionary<string, string>? Map(string? text) => text is null
        ? null
        : text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
}
