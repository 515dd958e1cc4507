using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Shared.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Shared;

/// <summary>Registers what every module relies on: time and Flagger's own telemetry instruments.</summary>
public static class SharedModule
{
    public static IHostApplicationBuilder AddSharedModule(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => new FlaggerMetrics());

        // Flagger's own kinds; each module declares the other kinds it reads.
        builder.Services.AddWatch<Canary>().AddWatch<MetricTemplate>().AddWatch<AlertProvider>();
        return builder;
    }
}
