using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Prometheus;

namespace Flagger.Simulator.Traffic;

/// <summary>Synthetic request streams per Service (stage 4).</summary>
internal sealed class TrafficModel(ClusterStore store, CollectorRegistry registry, TimeSpan period)
{
    public TimeSpan Period => period;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, store.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                Tick(period);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Cluster stopping.
        }
    }

    public void Tick(TimeSpan elapsed)
    {
        _ = registry;
        _ = elapsed;
    }

    public JsonObject Describe() => new() { ["periodMs"] = period.TotalMilliseconds };
}
