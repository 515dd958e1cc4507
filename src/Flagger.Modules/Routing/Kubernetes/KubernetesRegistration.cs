using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Kubernetes;

/// <summary>
/// The Kubernetes provider's wiring: the no-op traffic router of blue/green without a mesh (<c>kubernetes</c>, and
/// upstream's <c>none</c>), the Service routers every canary uses, and the Services they read.
/// </summary>
internal static class KubernetesRegistration
{
    public static IServiceCollection AddKubernetesRouters(this IServiceCollection services)
    {
        services.AddTrafficRouter<KubernetesNopRouter>("kubernetes")
            .AddTrafficRouter<KubernetesNopRouter>(TrafficRouterRegistrations.NoneAlias)
            .AddWatch<V1Service>();
        services.AddSingleton<KubernetesServiceRouter>();
        services.AddSingleton<NoopServiceRouter>();
        return services;
    }
}
