using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.Smi;

/// <summary>
/// The SMI family's wiring (upstream: pkg/router/factory.go): <c>linkerd</c> and <c>smi:v1alpha1</c> write v1alpha1
/// TrafficSplits, <c>osm</c> and <c>smi:v1alpha2</c> v1alpha2, <c>smi:v1alpha3</c> v1alpha3; each version is watched.
/// </summary>
internal static class SmiRegistration
{
    public static IServiceCollection AddSmiRouters(this IServiceCollection services) =>
        services.AddTrafficRouter<SmiV1Alpha1Router>("linkerd")
            .AddTrafficRouter<SmiV1Alpha1Router>("smi:v1alpha1")
            .AddTrafficRouter<SmiV1Alpha2Router>("osm")
            .AddTrafficRouter<SmiV1Alpha2Router>("smi:v1alpha2")
            .AddTrafficRouter<SmiV1Alpha3Router>("smi:v1alpha3")
            .AddWatch<SmiTrafficSplitV1Alpha1>()
            .AddWatch<SmiTrafficSplitV1Alpha2>()
            .AddWatch<SmiTrafficSplitV1Alpha3>();
}
