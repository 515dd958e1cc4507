using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Contour;

/// <summary>The Contour provider's wiring: its router under the catalog name and the kind it reads.</summary>
internal static class ContourRegistration
{
    public static IServiceCollection AddContourRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<ContourRouter>("contour")
            .AddWatch<HttpProxy>();
}
