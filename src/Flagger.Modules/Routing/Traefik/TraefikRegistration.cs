using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Traefik;

/// <summary>The Traefik provider's wiring: its router under the catalog name and the kind it reads.</summary>
internal static class TraefikRegistration
{
    public static IServiceCollection AddTraefikRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<TraefikRouter>("traefik")
            .AddWatch<TraefikService>();
}
