namespace Flagger.Simulator.Traffic.Exporters;

/// <summary>
/// One mesh's (or proxy's) Prometheus series. The traffic model hands every settled batch of requests to every
/// exporter, so each mesh's builtin queries find their series whatever routed the requests.
/// </summary>
internal interface ITrafficExporter
{
    /// <summary>Counts <see cref="RequestOutcome.Count"/> requests with one response code and their latencies.</summary>
    void Record(RequestOutcome outcome);
}

/// <summary>
/// A batch of identical requests: <see cref="Count"/> requests to destination Service <see cref="Service"/> (port
/// <see cref="Port"/>, null when the Service has none) in <see cref="Namespace"/>, answered by workload
/// <see cref="Workload"/> (app label <see cref="App"/>, pod <see cref="Pod"/>) with <see cref="ResponseCode"/> after a
/// log-normal latency of median <see cref="MedianMs"/> and shape <see cref="Sigma"/>. When no pod was ready the mesh
/// answered itself: workload and app are <c>unknown</c> and <see cref="Pod"/> is null. <see cref="Via"/> names the
/// routing object that carried the requests when the route table set one (<see cref="Routes.WeightedDestination.Via"/>).
/// </summary>
internal sealed record RequestOutcome(
    string Namespace,
    string Service,
    int? Port,
    string Workload,
    string App,
    string? Pod,
    string ResponseCode,
    long Count,
    double MedianMs,
    double Sigma,
    string? Via = null);
