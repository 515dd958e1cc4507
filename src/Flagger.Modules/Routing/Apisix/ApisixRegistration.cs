using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Apisix;

/// <summary>The APISIX provider's wiring: its router under the catalog name and the kind it reads.</summary>
internal static class ApisixRegistration
{
    public static IServiceCollection AddApisixRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<ApisixRouter>("apisix")
            .AddWatch<ApisixRoute>();
}
