using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Routing.GatewayApi;

/// <summary>The Gateway API providers' wiring: one router per served HTTPRoute version and the kinds they read.</summary>
internal static class GatewayApiRegistration
{
    public static IServiceCollection AddGatewayApiRouters(this IServiceCollection services) =>
        services.AddTrafficRouter<GatewayApiRouter>("gatewayapi:v1")
            .AddTrafficRouter<GatewayApiV1Beta1Router>("gatewayapi:v1beta1")
            .AddWatch<HttpRoute>()
            .AddWatch<HttpRouteV1Beta1>();
}
