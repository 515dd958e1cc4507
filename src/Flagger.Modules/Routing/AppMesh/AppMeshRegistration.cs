using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.AppMesh;

/// <summary>The App Mesh providers' wiring: both routers under their catalog names and the kinds they read.</summary>
internal static class AppMeshRegistration
{
    public static IServiceCollection AddAppMeshRouters(this IServiceCollection services) =>
        services.AddTrafficRouter<AppMeshRouter>("appmesh")
            .AddWatch<VirtualNodeV1Beta1>()
            .AddWatch<VirtualServiceV1Beta1>()
            .AddTrafficRouter<AppMeshV1Beta2Router>("appmesh:v1beta2")
            .AddWatch<VirtualNodeV1Beta2>()
            .AddWatch<VirtualRouterV1Beta2>()
            .AddWatch<VirtualServiceV1Beta2>();
}
