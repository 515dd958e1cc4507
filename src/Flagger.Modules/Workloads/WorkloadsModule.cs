using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Workloads;

/// <summary>Registers the workload controllers (Deployment, DaemonSet, Service and Knative Service targets; HPA and KEDA primary scalers) behind <see cref="ITargetControllerFactory"/>.</summary>
public static class WorkloadsModule
{
    /// <summary>
    /// Adds <see cref="ITargetControllerFactory"/>; options bind from configuration section <c>Workloads</c>
    /// (<c>SelectorLabels</c>, <c>IncludeLabelPrefix</c>, <c>EnableConfigTracking</c>). Needs Shared's IKubeCache,
    /// IKubeWriter and TimeProvider.
    /// </summary>
    public static IHostApplicationBuilder AddWorkloadsModule(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkloadOptions>().BindConfiguration("Workloads");
        builder.Services.AddSingleton<ITargetControllerFactory>(sp => new TargetControllerFactory(
            sp.GetRequiredService<Shared.Kubernetes.IKubeCache>(),
            sp.GetRequiredService<Shared.Kubernetes.IKubeWriter>(),
            sp.GetRequiredService<IOptions<WorkloadOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        builder.Services.AddWatch<V1Deployment>().AddWatch<V1DaemonSet>().AddWatch<V1Service>()
            .AddWatch<V2HorizontalPodAutoscaler>().AddWatch<V1ConfigMap>().AddWatch<V1Secret>()
            .AddWatch<Shared.Knative.KnativeService>("knative").AddWatch<Shared.Knative.KnativeRevision>("knative")
            .AddWatch<Keda.ScaledObject>(WatchRegistrations.KedaGroup);
        return builder;
    }
}
