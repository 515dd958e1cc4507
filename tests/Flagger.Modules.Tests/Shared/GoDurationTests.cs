using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Tests.Shared;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("1m", 60_000)]
    [InlineData("30s", 30_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("2m30.5s", 150_500)]
    [InlineData(".5s", 500)]
    [InlineData("1h1m1s1ms", 3_661_001)]
    [InlineData("-2s", -2_000)]
    [InlineData("+10s", 10_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    public void Parses_go_durations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        Assert.Equal(value, GoDuration.Parse(text));
    }

    [Theory]
    [InlineData("1500us", 15_000)]
    [InlineData("1500\u00b5s", 15_000)]
    [InlineData("250ns", 2)]
    public void Parses_sub_millisecond_units_truncating_to_100ns_ticks(string text, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), GoDuration.Parse(text));
    }

    [Theory]
    [InlineData("", "empty duration")]
    [InlineData(null, "empty duration")]
    [InlineData("10", "\"10\" is not a valid duration: missing unit")]
    [InlineData("1x", "\"1x\" is not a valid duration: unknown unit \"x\"")]
    [InlineData("5mm", "unknown unit \"mm\"")]
    [InlineData("10sec", "unknown unit \"sec\"")]
    [InlineData("1 m", "unknown unit \" m\"")]
    [InlineData("m", "expected a number")]
    [InlineData("-", "no number")]
    [InlineData("3000000h", "out of range")]
    public void Rejects_malformed_durations_with_a_clear_reason(string? text, string reason)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains("e.g. 30s, 1m, 1h30m", error, StringComparison.Ordinal);
        var exception = Assert.Throws<FormatException>(() => GoDuration.Parse(text));
        Assert.Equal(error, exception.Message);
    }
}
