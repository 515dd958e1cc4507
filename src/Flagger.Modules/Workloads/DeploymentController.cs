using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>Deployment targets: <c>&lt;target&gt;-primary</c> Deployment, replicas-based scaling, Deployment readiness.</summary>
// upstream: pkg/canary/deployment_controller.go, deployment_ready.go, deployment_status.go
internal sealed class DeploymentController(
    IKubeCache cache,
    IKubeWriter writer,
    ConfigTracker configs,
    IPrimaryScaler scaler,
    WorkloadOptions options,
    TimeProvider time,
    ILogger logger) : PodWorkloadController<V1Deployment>(cache, writer, configs, scaler, options, time, logger)
{
    public override string Kind => "Deployment";

    protected override V1PodTemplateSpec? Template(V1Deployment workload) => workload.Spec?.Template;

    protected override V1LabelSelector? Selector(V1Deployment workload) => workload.Spec?.Selector;

    protected override string Hash(V1PodTemplateSpec? template) => RevisionHash.OfSnapshot(template);

    protected override V1Deployment BuildPrimary(Canary canary, V1Deployment target, PrimaryInputs inputs) =>
        PrimaryWorkloads.CreateDeployment(canary, target, inputs);

    public override Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var primary = Cache.Get<V1Deployment>(ns, primaryName);
        if (primary is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(primaryName, ns)));
        }

        var verdict = WorkloadReadiness.Deployment(primary, CanaryDefaults.GetProgressDeadlineSeconds(canary.Spec), CanaryDefaults.GetPrimaryReadyThreshold(canary.Spec.Analysis), Time.GetUtcNow());
        return Task.FromResult(ToReadiness(verdict, $"{primaryName}.{ns} not ready: "));
    }

    public override Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var targetName = CanaryFacts.TargetName(canary);
        var target = Cache.Get<V1Deployment>(ns, targetName);
        if (target is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(targetName, ns)));
        }

        var verdict = WorkloadReadiness.Deployment(target, CanaryDefaults.GetProgressDeadlineSeconds(canary.Spec), CanaryDefaults.GetCanaryReadyThreshold(canary.Spec.Analysis), Time.GetUtcNow());
        return Task.FromResult(ToReadiness(verdict, $"canary deployment {targetName}.{ns} not ready: "));
    }

    public override async Task PromoteAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var target = GetTarget(canary);
        var (label, value) = SelectorLabel(target);
        var primary = Cache.Get<V1Deployment>(ns, primaryName)
            ?? throw new WorkloadException($"updating deployment {primaryName}.{ns} template spec failed: {NotFound(primaryName, ns)}");
        var tracked = Configs.GetTargetConfigs(canary, target.Spec.Template?.Spec);
        await Configs.SyncPrimaryConfigsAsync(canary, tracked, cancellationToken);

        var desired = PrimaryWorkloads.PromoteDeployment(canary, primary, target, Inputs(target, label, value, tracked));
        if (PrimaryWorkloads.UpToDate(desired.Metadata, desired.Spec, primary.Metadata, primary.Spec))
        {
            return;
        }

        try
        {
            await Writer.ReplaceAsync(desired, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"updating deployment {primaryName}.{ns} template spec failed: {e.Message}", e);
        }
    }

    // upstream: ScaleToZero in deployment_controller.go leaves replicas 0
    protected override bool IsScaledToZero(V1Deployment target) => target.Spec?.Replicas == 0;

    // upstream: deployment_controller.go ScaleToZero (merge patch replicas 0)
    public override Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken) =>
        ScaleAsync(canary, GetTarget(canary), 0, (name, ns, _, err) => $"deployment {name}.{ns} patch query error: {err}", cancellationToken);

    // upstream: deployment_controller.go ScaleFromZero
    public override Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        return ScaleAsync(canary, target, ScaleFromZeroReplicas(canary, target), (name, ns, n, err) => $"scaling up {name}.{ns} to {n} failed: {err}", cancellationToken);
    }

    // upstream: deployment_controller.go Finalize
    public override async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        var primary = Cache.Get<V1Deployment>(CanaryFacts.Namespace(canary), CanaryFacts.PrimaryName(canary));
        if (primary is null)
        {
            await ScaleFromZeroAsync(canary, cancellationToken);
            return;
        }

        await ScaleAsync(canary, target, primary.Spec.Replicas ?? 1, (name, ns, n, err) => $"scale failed: scaling {name}.{ns} to {n} failed: {err}", cancellationToken);
    }

    internal int ScaleFromZeroReplicas(Canary canary, V1Deployment target)
    {
        if (target.Spec.Replicas is > 0)
        {
            return target.Spec.Replicas.Value;
        }

        if (canary.Spec.AutoscalerRef is null)
        {
            // without an autoscaler the canary gets the primary's replicas; a missing primary (upstream: an error, which
            // would block revertOnDeletion forever) counts as 1
            var primary = Cache.Get<V1Deployment>(CanaryFacts.Namespace(canary), CanaryFacts.PrimaryName(canary));
            return primary?.Spec.Replicas is > 0 ? primary.Spec.Replicas.Value : 1;
        }

        return Scaler.ScaleFromZeroReplicas(canary) ?? 1;
    }

    private async Task ScaleAsync(Canary canary, V1Deployment target, int replicas, Func<string, string, int, string, string> failure, CancellationToken cancellationToken)
    {
        if (target.Spec.Replicas == replicas)
        {
            return;
        }

        var ns = CanaryFacts.Namespace(canary);
        try
        {
            await Writer.PatchAsync<V1Deployment>(ns, target.Metadata.Name, new V1Patch($"{{\"spec\":{{\"replicas\":{replicas}}}}}", V1Patch.PatchType.MergePatch), cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException(failure(target.Metadata.Name, ns, replicas, e.Message), e);
        }
    }


    private static Readiness ToReadiness(ReadinessVerdict verdict, string prefix) => verdict.Error is null
        ? Readiness.Ready
        : new Readiness(verdict.Retriable ? ReadinessState.NotReady : ReadinessState.DeadlineExceeded, prefix + verdict.Error);

}
