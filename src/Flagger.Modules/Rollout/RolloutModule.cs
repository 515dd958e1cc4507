using Flagger.Modules.Rollout.Reconciler;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Rollout;

/// <summary>Registers the rollout loop: step context, telemetry, observer, gates, actions, reconciler and the controller that schedules them.</summary>
public static class RolloutModule
{
    /// <summary>
    /// Adds the rollout loop. Needs the Shared, Workloads, Routing, Analysis, Webhooks and Alerting modules and
    /// cluster access (IKubeCache, IKubeWriter, IEventRecorder, Leadership).
    /// </summary>
    public static IHostApplicationBuilder AddRolloutModule(this IHostApplicationBuilder builder, Action<RolloutOptions> configure)
    {
        builder.Services.AddOptions<RolloutOptions>().Configure(configure);
        builder.Services.AddSingleton<StepContextFactory>();
        builder.Services.AddSingleton<CanaryTelemetry>();
        builder.Services.AddSingleton<CanaryObserver>();
        builder.Services.AddSingleton<GateOperations>();
        builder.Services.AddSingleton<GateRunner>();
        builder.Services.AddSingleton<CanaryNotifier>();
        builder.Services.AddSingleton<ActionApplier>();
        builder.Services.AddSingleton<CanaryReconciler>();
        builder.Services.AddHostedService<RolloutController>();
        builder.Services.AddWatch<Canary>();
        return builder;
    }
}
