using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Kuma;

/// <summary>The Kuma provider's wiring: its router under the catalog name and the kind it reads.</summary>
internal static class KumaRegistration
{
    public static IServiceCollection AddKumaRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<KumaRouter>("kuma")
            .AddWatch<TrafficRoute>();
}
