using System.Globalization;
using Flagger.Simulator.Traffic.Exporters;

namespace Flagger.Simulator.Traffic;

/// <summary>
/// Turns fractional request counts into whole requests and outcomes, deterministically: the fraction left over is
/// carried to the next tick, and after N requests to a workload exactly floor(N × error rate) have failed.
/// Not thread-safe; the traffic model calls it under its tick lock.
/// </summary>
internal sealed class DeliveryLedger
{
    private readonly Dictionary<string, double> carry = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> totals = new(StringComparer.Ordinal);

    /// <summary>The outcomes of <paramref name="requests"/> more requests to <paramref name="target"/> behind a Service.</summary>
    public IEnumerable<RequestOutcome> Settle(string service, string ns, int? port, UpstreamWorkload? target, double requests, string? via = null)
    {
        var key = $"{ns}/{service}/{target?.Name ?? "-"}/{via}";
        var owed = carry.GetValueOrDefault(key) + requests;
        var n = (long)Math.Floor(owed);
        carry[key] = owed - n;
        if (n == 0)
        {
            return [];
        }

        if (target is null)
        {
            return [new RequestOutcome(ns, service, port, "unknown", "unknown", null, "503", n, 0.5, 0, via)];
        }

        var totalKey = key + "#total";
        var before = totals.GetValueOrDefault(totalKey);
        var after = before + n;
        totals[totalKey] = after;
        var errors = (long)Math.Floor(after * target.ErrorRate) - (long)Math.Floor(before * target.ErrorRate);
        var ok = n - errors;
        var outcomes = new List<RequestOutcome>(2);
        if (ok > 0)
        {
            outcomes.Add(Outcome(service, ns, port, target, "200", ok, via));
        }

        if (errors > 0)
        {
            outcomes.Add(Outcome(service, ns, port, target, target.ErrorCode.ToString(CultureInfo.InvariantCulture), errors, via));
        }

        return outcomes;
    }

    private static RequestOutcome Outcome(string service, string ns, int? port, UpstreamWorkload target, string code, long count, string? via) =>
        new(ns, service, port, target.Name, target.App, target.PodName, code, count, target.LatencyMs, target.Sigma, via);
}
