using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>
/// DaemonSet targets: <c>&lt;target&gt;-primary</c> DaemonSet; "scaled to zero" means the pod template carries the
/// nodeSelector <c>flagger.app/scale-to-zero: "true"</c> so no node matches.
/// </summary>
// upstream: pkg/canary/daemonset_controller.go, daemonset_ready.go, daemonset_status.go
internal sealed class DaemonSetController(
    IKubeCache cache,
    IKubeWriter writer,
    ConfigTracker configs,
    IPrimaryScaler scaler,
    WorkloadOptions options,
    TimeProvider time,
    ILogger logger) : PodWorkloadController<V1DaemonSet>(cache, writer, configs, scaler, options, time, logger)
{
    public override string Kind => "DaemonSet";

    protected override V1PodTemplateSpec? Template(V1DaemonSet workload) => workload.Spec?.Template;

    protected override V1LabelSelector? Selector(V1DaemonSet workload) => workload.Spec?.Selector;

    protected override string Hash(V1PodTemplateSpec? template) => RevisionHash.OfDaemonSetSnapshot(template);

    // upstream: daemonset_controller.go createPrimaryDaemonSet
    protected override void ValidateTarget(V1DaemonSet target, string @namespace)
    {
        var strategy = target.Spec.UpdateStrategy?.Type;
        if (!string.IsNullOrEmpty(strategy) && strategy != "RollingUpdate")
        {
            throw new WorkloadException($"daemonset {target.Metadata.Name}.{@namespace} must have RollingUpdate strategy but have {strategy}");
        }
    }

    protected override V1DaemonSet BuildPrimary(Canary canary, V1DaemonSet target, PrimaryInputs inputs) =>
        PrimaryWorkloads.CreateDaemonSet(canary, target, inputs);

    public override Task<Readiness> IsPrimaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var primary = Cache.Get<V1DaemonSet>(ns, primaryName);
        if (primary is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(primaryName, ns)));
        }

        var verdict = WorkloadReadiness.DaemonSet(primary, canary.Status?.LastTransitionTime, CanaryDefaults.GetProgressDeadlineSeconds(canary.Spec), CanaryDefaults.GetPrimaryReadyThreshold(canary.Spec.Analysis), Time.GetUtcNow());
        return Task.FromResult(verdict.Error is null
            ? Readiness.Ready
            : new Readiness(verdict.Retriable ? ReadinessState.NotReady : ReadinessState.DeadlineExceeded, $"primary daemonset {primaryName}.{ns} not ready: {verdict.Error}"));
    }

    public override Task<Readiness> IsCanaryReadyAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var targetName = CanaryFacts.TargetName(canary);
        var target = Cache.Get<V1DaemonSet>(ns, targetName);
        if (target is null)
        {
            return Task.FromResult(new Readiness(ReadinessState.NotReady, NotFound(targetName, ns)));
        }

        var verdict = WorkloadReadiness.DaemonSet(target, canary.Status?.LastTransitionTime, CanaryDefaults.GetProgressDeadlineSeconds(canary.Spec), CanaryDefaults.GetCanaryReadyThreshold(canary.Spec.Analysis), Time.GetUtcNow());
        // upstream's text, typo included
        return Task.FromResult(verdict.Error is null
            ? Readiness.Ready
            : new Readiness(
                verdict.Retriable ? ReadinessState.NotReady : ReadinessState.DeadlineExceeded,
                $"canary damonset {targetName}.{ns} not ready with retryable {(verdict.Retriable ? "true" : "false")}: {verdict.Error}"));
    }

    public override async Task PromoteAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        var primaryName = CanaryFacts.PrimaryName(canary);
        var target = GetTarget(canary);
        var (label, value) = SelectorLabel(target);
        var primary = Cache.Get<V1DaemonSet>(ns, primaryName)
            ?? throw new WorkloadException($"updating daemonset {primaryName}.{ns} template spec failed: {NotFound(primaryName, ns)}");
        var tracked = Configs.GetTargetConfigs(canary, target.Spec.Template?.Spec);
        await Configs.SyncPrimaryConfigsAsync(canary, tracked, cancellationToken);

        var desired = PrimaryWorkloads.PromoteDaemonSet(primary, target, Inputs(target, label, value, tracked));
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
            throw new WorkloadException($"updating daemonset {primaryName}.{ns} template spec failed: {e.Message}", e);
        }
    }

    // upstream: ScaleToZero in daemonset_controller.go leaves the flagger.app/scale-to-zero nodeSelector
    protected override bool IsScaledToZero(V1DaemonSet target) =>
        target.Spec?.Template?.Spec?.NodeSelector?.ContainsKey(RevisionHash.ScaleToZeroKey) == true;

    // upstream: daemonset_controller.go ScaleToZero (nodeSelector flagger.app/scale-to-zero: "true")
    public override async Task ScaleToZeroAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        if (target.Spec.Template?.Spec?.NodeSelector?.TryGetValue(RevisionHash.ScaleToZeroKey, out var v) == true && v == "true")
        {
            return;
        }

        var copy = KubeObjects.Clone(target);
        copy.Spec.Template.Spec.NodeSelector ??= new Dictionary<string, string>();
        copy.Spec.Template.Spec.NodeSelector[RevisionHash.ScaleToZeroKey] = "true";
        await ReplaceTargetAsync(copy, "updating daemonset {0}.{1} failed: {2}", cancellationToken);
    }

    // upstream: daemonset_controller.go ScaleFromZero (remove the scale-to-zero nodeSelector)
    public override async Task ScaleFromZeroAsync(Canary canary, CancellationToken cancellationToken)
    {
        var target = GetTarget(canary);
        if (target.Spec.Template?.Spec?.NodeSelector?.ContainsKey(RevisionHash.ScaleToZeroKey) != true)
        {
            return;
        }

        var copy = KubeObjects.Clone(target);
        copy.Spec.Template.Spec.NodeSelector.Remove(RevisionHash.ScaleToZeroKey);
        await ReplaceTargetAsync(copy, "scaling up daemonset {0}.{1} failed: {2}", cancellationToken);
    }

    // upstream: daemonset_controller.go Finalize
    public override async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        try
        {
            await ScaleFromZeroAsync(canary, cancellationToken);
        }
        catch (WorkloadException e)
        {
            throw new WorkloadException($"ScaleFromZero failed: {e.Message}", e);
        }
    }

    private async Task ReplaceTargetAsync(V1DaemonSet target, string failureFormat, CancellationToken cancellationToken)
    {
        try
        {
            await Writer.ReplaceAsync(target, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException(string.Format(System.Globalization.CultureInfo.InvariantCulture, failureFormat, target.Metadata.Name, target.Metadata.NamespaceProperty, e.Message), e);
        }
    }


}
