using Flagger.Modules.Routing.Contour;
using Flagger.Modules.Routing.Apisix;
using Flagger.Modules.Routing.AppMesh;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Gloo;
using Flagger.Modules.Routing.GatewayApi;
using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Routing.Knative;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Routing.Nginx;
using Flagger.Modules.Routing.Skipper;
using Flagger.Modules.Routing.Kuma;
using Flagger.Modules.Routing.Smi;
using Flagger.Modules.Routing.Traefik;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Shared.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Routing;

/// <summary>Registers the routing module: <see cref="IRoutingFactory"/>, its routers and the kinds they watch.</summary>
public static class RoutingModule
{
    /// <summary>
    /// Adds the routers and binds <see cref="RoutingOptions"/> from the <c>Routing</c> configuration section; the
    /// runtime maps <c>--mesh-provider</c> and friends onto it. Needs <c>IKubeCache</c>, <c>IKubeWriter</c> and <c>TimeProvider</c> (the Shared module).
    /// </summary>
    public static IHostApplicationBuilder AddRoutingModule(this IHostApplicationBuilder builder, Action<RoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<RoutingOptions>().Bind(builder.Configuration.GetSection(RoutingOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton<RoutingObjectStore>();
        builder.Services.AddSingleton<RouterObjects>();

        // One line per implemented provider (its folder's registration: router under the catalog name, watched kinds).
        builder.Services.AddIstioRouter();
        builder.Services.AddGatewayApiRouters();
        builder.Services.AddKubernetesRouters();
        builder.Services.AddContourRouter();
        builder.Services.AddGlooRouter();
        builder.Services.AddNginxRouter();
        builder.Services.AddSkipperRouter();
        builder.Services.AddSmiRouters();
        builder.Services.AddKumaRouter();
        builder.Services.AddTraefikRouter();
        builder.Services.AddApisixRouter();
        builder.Services.AddAppMeshRouters();
        builder.Services.AddKnativeRouter();

        // A router's kinds are watched from the first canary using its provider (StepContextFactory awaits them), except the
        // global mesh provider's: most canaries use it, so they start with the operator and count for readiness.
        builder.Services.AddSingleton(sp => new ProviderWatchedAtBoot(ProviderCatalog.RouterName(sp.GetRequiredService<IOptions<RoutingOptions>>().Value.MeshProvider)));

        builder.Services.AddSingleton<IRoutingFactory, RoutingFactory>();
        return builder;
    }
}
