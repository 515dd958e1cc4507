namespace Flagger.Simulator.Traffic;

/// <summary>A synthetic request source for one Service: rate and the share of requests carrying each header.</summary>
public sealed record TrafficSource(double Rps, IReadOnlyList<HeaderShare> Headers);

/// <summary>A share (0..1) of a Service's requests that carries header <see cref="Name"/> = <see cref="Value"/>.</summary>
public sealed record HeaderShare(string Name, string Value, double Fraction);
