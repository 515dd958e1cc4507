namespace Flagger.Modules.Routing.Contracts;

/// <summary>
/// How traffic is split between <c>&lt;svc&gt;-primary</c> and <c>&lt;svc&gt;-canary</c>: integer weights that sum to
/// 100, plus whether the canary receives a mirror of the primary's traffic.
/// </summary>
/// <example><c>new TrafficSplit(90, 10, Mirrored: false)</c> sends 10% of requests to the canary.</example>
public readonly record struct TrafficSplit(int PrimaryWeight, int CanaryWeight, bool Mirrored)
{
    /// <summary>All traffic to the primary, no mirroring: the idle state and the state after a rollback.</summary>
    public static TrafficSplit AllPrimary => new(100, 0, false);

    /// <summary>All traffic to the canary (blue/green before promotion, failed promotion).</summary>
    public static TrafficSplit AllCanary => new(0, 100, false);
}
