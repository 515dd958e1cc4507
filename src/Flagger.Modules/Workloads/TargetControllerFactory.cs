using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Keda;
using Flagger.Modules.Workloads.Knative;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>
/// Picks the controller for <c>spec.targetRef.kind</c> and, for workloads, the primary scaler for
/// <c>spec.autoscalerRef.kind</c> (HPA or KEDA ScaledObject); a Knative Service target has no primary workload. Unlike upstream (unknown kind → Deployment), anything unsupported is an error
/// naming the field.
/// </summary>
// upstream: pkg/canary/factory.go
internal sealed class TargetControllerFactory(IKubeCache cache, IKubeWriter writer, WorkloadOptions options, TimeProvider time, ILoggerFactory loggers)
    : ITargetControllerFactory
{
    private const string KnativeGroup = "serving.knative.dev";

    public ITargetController Create(Canary canary)
    {
        var target = canary.Spec.TargetRef;
        var where = $"{canary.Metadata.Name}.{canary.Metadata.NamespaceProperty}";
        if (string.IsNullOrEmpty(target?.Name))
        {
            throw new WorkloadException($"invalid canary {where}: spec.targetRef.name is required");
        }

        return target.Kind switch
        {
            "Deployment" => new DeploymentController(cache, writer, Tracker(), Scaler(canary, where), options, time, loggers.CreateLogger<DeploymentController>()),
            "DaemonSet" => new DaemonSetController(cache, writer, Tracker(), Scaler(canary, where), options, time, loggers.CreateLogger<DaemonSetController>()),
            "Service" when target.ApiVersion?.StartsWith(KnativeGroup + "/", StringComparison.Ordinal) == true =>
                new KnativeTargetController(cache, writer, loggers.CreateLogger<KnativeTargetController>()),
            "Service" => new ServiceController(cache, writer, options, loggers.CreateLogger<ServiceController>()),
            _ => throw new WorkloadException($"invalid canary {where}: spec.targetRef.kind '{target.Kind}' is not supported, use Deployment, DaemonSet or Service"),
        };
    }

    private ConfigTracker Tracker() => new(cache, writer, options, loggers.CreateLogger<ConfigTracker>());

    private IPrimaryScaler Scaler(Canary canary, string where) => canary.Spec.AutoscalerRef switch
    {
        null => NoPrimaryScaler.Instance,
        { Name: null or "" } => throw new WorkloadException($"invalid canary {where}: spec.autoscalerRef.name is required"),
        { Kind: "HorizontalPodAutoscaler" } => new HpaPrimaryScaler(cache, writer, loggers.CreateLogger<HpaPrimaryScaler>()),
        { Kind: KnownValues.ScaledObjectKind } => new ScaledObjectPrimaryScaler(cache, writer, options, loggers.CreateLogger<ScaledObjectPrimaryScaler>()),
        { Kind: var kind } => throw new WorkloadException($"invalid canary {where}: spec.autoscalerRef.kind '{kind}' is not supported, use HorizontalPodAutoscaler or ScaledObject"),
    };
}
