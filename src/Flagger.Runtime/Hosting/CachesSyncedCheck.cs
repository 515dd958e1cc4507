using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flagger.Runtime.Hosting;

/// <summary>Ready once every informer has listed once; with leader election, followers are ready too.</summary>
internal sealed class CachesSyncedCheck(KubeCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pending = cache.Informers.Where(i => !i.Synced.IsCompleted).Select(i => i.Kind.ToString()).ToList();
        return Task.FromResult(pending.Count == 0
            ? HealthCheckResult.Healthy("caches synced")
            : HealthCheckResult.Unhealthy($"waiting for caches: {string.Join(", ", pending)}"));
    }
}
