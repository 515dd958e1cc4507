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
        return builder;
    }
}
