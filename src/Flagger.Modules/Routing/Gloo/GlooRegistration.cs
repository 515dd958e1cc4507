using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Gloo;

/// <summary>The Gloo provider's wiring: its router under the catalog name and the kinds it reads.</summary>
internal static class GlooRegistration
{
    public static IServiceCollection AddGlooRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<GlooRouter>("gloo")
            .AddWatch<RouteTable>()
            .AddWatch<GlooUpstream>()
            .AddWatch<V1Service>();
}
