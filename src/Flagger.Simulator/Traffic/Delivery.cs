namespace Flagger.Simulator.Traffic;

/// <summary>
/// Requests (a fractional count; whole requests are settled by <see cref="DeliveryLedger"/>) that reach Service
/// <see cref="Service"/> on <see cref="Port"/> and one of its workloads, or no workload (<see cref="Target"/> null: 503),
/// carried by routing object <see cref="Via"/> (see <see cref="Routes.WeightedDestination.Via"/>).
/// </summary>
internal sealed record Delivery(string Service, string Namespace, int? Port, UpstreamWorkload? Target, double Requests, string? Via = null);
