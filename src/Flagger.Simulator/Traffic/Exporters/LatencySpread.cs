namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>Spreads a batch of requests over histogram buckets following a log-normal latency, deterministically.</summary>
internal static class LatencySpread
{
    /// <summary>
    /// Splits <paramref name="n"/> requests over <paramref name="bounds"/> (upper bounds, same unit as
    /// <paramref name="median"/>): one representative value and a count per bucket that receives requests.
    /// </summary>
    public static IEnumerable<(double Value, long Count)> Spread(long n, double median, double sigma, double[] bounds)
    {
        long assigned = 0;
        foreach (var bound in bounds)
        {
            var cdf = sigma <= 0 ? (bound >= median ? 1 : 0) : NormalCdf(Math.Log(bound / median) / sigma);
            var cumulative = (long)Math.Round(n * cdf);
            if (cumulative > assigned)
            {
                yield return (Math.Min(bound, Math.Max(median, bound / 2)), cumulative - assigned);
                assigned = cumulative;
            }
        }

        if (assigned < n)
        {
            yield return (bounds[^1] * 2, n - assigned);
        }
    }

    private static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    private static double Erf(double x)
    {
        // Abramowitz and Stegun 7.1.26 (max error 1.5e-7).
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1 / (1 + 0.3275911 * x);
        var y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }
}
