using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Nginx;

/// <summary>The NGINX provider's wiring: its router under the catalog name and the Ingresses it reads.</summary>
internal static class NginxRegistration
{
    public static IServiceCollection AddNginxRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<NginxRouter>("nginx")
            .AddWatch<V1Ingress>();
}
