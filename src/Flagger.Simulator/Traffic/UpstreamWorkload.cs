namespace Flagger.Simulator.Traffic;

/// <summary>
/// A Deployment or DaemonSet behind a Service, with the behaviour its pod-template annotations ask for
/// (<c>simulator.flagger.app/error-rate</c>, <c>error-code</c>, <c>latency-ms</c>, <c>latency-sigma</c>).
/// </summary>
internal sealed record UpstreamWorkload(
    string Name, string Namespace, string App, long Ready, double ErrorRate, int ErrorCode, double LatencyMs, double Sigma, string PodName);
