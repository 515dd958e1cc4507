using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Skipper;

/// <summary>The Skipper provider's wiring: its router under the catalog name and the Ingresses it reads.</summary>
internal static class SkipperRegistration
{
    public static IServiceCollection AddSkipperRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<SkipperRouter>("skipper")
            .AddWatch<V1Ingress>();
}
