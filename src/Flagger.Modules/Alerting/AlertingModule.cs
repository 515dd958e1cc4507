using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Alerting;

/// <summary>Registers <see cref="IAlerter"/>: notifiers, provider resolution from <c>IKubeCache</c>, the global notifier.</summary>
public static class AlertingModule
{
    /// <summary>
    /// Adds the module. Needs <c>IKubeCache</c> (with AlertProvider and Secret informers) and a <see cref="TimeProvider"/>.
    /// The host fills <see cref="AlertingOptions"/> (the runtime maps its flags and their environment variables onto it).
    /// </summary>
    public static IHostApplicationBuilder AddAlertingModule(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The host fills AlertingOptions from its flags (upstream's -slack-*, -msteams-*, -cluster-name and their env vars).
        builder.Services.AddOptions<AlertingOptions>();
        builder.Services.AddSingleton<NotificationPoster>();
        builder.Services.AddSingleton<NotifierFactory>();
        builder.Services.AddSingleton(_ => new AlertingMetrics());
        builder.Services.AddSingleton<IAlerter, Alerter>();
        builder.Services.AddWatch<AlertProvider>().AddWatch<V1Secret>();
        return builder;
    }
}
