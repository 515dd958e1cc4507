using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

using Flagger.Modules.Shared.Knative;

namespace Flagger.Modules.Routing.Knative;

/// <summary>The Knative provider's wiring: its router under the catalog name and the Knative Services it reads.</summary>
internal static class KnativeRegistration
{
    public static IServiceCollection AddKnativeRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<KnativeRouter>("knative")
            .AddWatch<KnativeService>();
}
