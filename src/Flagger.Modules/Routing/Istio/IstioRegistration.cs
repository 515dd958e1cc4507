using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Istio;

/// <summary>The Istio provider's wiring: its router under the catalog name and the kinds it reads.</summary>
internal static class IstioRegistration
{
    public static IServiceCollection AddIstioRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<IstioRouter>("istio")
            .AddWatch<VirtualService>()
            .AddWatch<DestinationRule>();
}
