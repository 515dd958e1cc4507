using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Routing.Kubernetes;

/// <summary>
/// The Service router of Service targets: their <c>-primary</c>/<c>-canary</c> Services are the target's copies made by
/// the Workloads module, so there is nothing to route (upstream: pkg/router/kubernetes_noop.go).
/// </summary>
internal sealed class NoopServiceRouter : IServiceRouter
{
    public Task InitializeAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReconcileAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task FinalizeAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken) => Task.CompletedTask;
}
