using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Routing.Kubernetes;

/// <summary>
/// The traffic router of blue/green without a mesh (<c>provider: kubernetes</c>): there are no routing objects; the
/// apex Service keeps selecting the primary and the switch happens when the primary is promoted. GetRoutes reports
/// what the blue/green strategy expects: all primary before the first iteration, all canary after
/// (upstream: pkg/router/nop.go).
/// </summary>
internal sealed class KubernetesNopRouter : ITrafficRouter
{
    public Task ReconcileAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(canary.Status?.Iterations is > 0 ? TrafficSplit.AllCanary : TrafficSplit.AllPrimary);

    public Task FinalizeAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;
}
