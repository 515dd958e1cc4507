using Flagger.Modules.Analysis;
using Flagger.Modules.Analysis.Templates;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Tests.Analysis.Templates;

public class GoFormatTests
{
    [Theory]
    [InlineData(99, "99")]
    [InlineData(99.5, "99.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(999999, "999999")]
    [InlineData(1000000, "1e+06")]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0, "0")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void Float_matches_go_percent_v(double value, string expected) => Assert.Equal(expected, GoFormat.Float(value));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ms")]
    [InlineData(500, "500ms")]
    [InlineData(1000, "1s")]
    [InlineData(1515, "1.515s")]
    [InlineData(60000, "1m0s")]
    [InlineData(90500, "1m30.5s")]
    [InlineData(3723000, "1h2m3s")]
    [InlineData(-250, "-250ms")]
    public void Milliseconds_match_go_duration_string(long ms, string expected) => Assert.Equal(expected, GoFormat.Milliseconds(ms));

    [Theory]
    [InlineData(98.685, "98.69")]
    [InlineData(99.994, "99.99")]
    [InlineData(1.005, "1.00")]
    [InlineData(0.125, "0.12")]
    [InlineData(0.375, "0.38")]
    [InlineData(98.625, "98.62")]
    public void Fixed_two_decimals_rounds_like_go(double value, string expected) => Assert.Equal(expected, GoFormat.Fixed(value, 2));

    [Theory]
    [InlineData("1m", 60)]
    [InlineData("30s", 30)]
    [InlineData("1m30s", 90)]
    [InlineData("1.5h", 5400)]
    [InlineData("500ms", 0.5)]
    public void Go_durations_parse(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("5 m")]
    [InlineData("1d")]
    public void Invalid_go_durations_are_rejected(string text) => Assert.False(GoDuration.TryParse(text, out _));
}
