using System.Globalization;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>
/// A readiness verdict before the caller adds its prefix: <see cref="Error"/> null means ready; otherwise
/// <see cref="Retriable"/> tells "wait" from "deadline exceeded".
/// </summary>
internal readonly record struct ReadinessVerdict(bool Retriable, string? Error)
{
    public static ReadinessVerdict Ready => new(true, null);
}

/// <summary>Readiness from Deployment/DaemonSet status, with upstream's messages (<c>deployment_ready.go</c>, <c>daemonset_ready.go</c>).</summary>
internal static class WorkloadReadiness
{
    // upstream: pkg/canary/deployment_ready.go isDeploymentReady
    public static ReadinessVerdict Deployment(V1Deployment deployment, int deadlineSeconds, int readyThreshold, DateTimeOffset now)
    {
        var status = deployment.Status ?? new V1DeploymentStatus();
        if ((deployment.Metadata.Generation ?? 0) > (status.ObservedGeneration ?? 0))
        {
            return new(true, "waiting for rollout to finish: observed deployment generation less than desired generation");
        }

        var retriable = true;
        var progress = status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progress is not null)
        {
            // stuck when minimum replicas stay unavailable longer than the deadline
            var available = status.Conditions!.FirstOrDefault(c => c.Type == "Available");
            if (available is { Status: "False", Reason: "MinimumReplicasUnavailable" })
            {
                retriable = !(KubeObjects.ToInstant(available.LastUpdateTime).AddSeconds(Math.Max(0, deadlineSeconds)) < now);
            }
        }

        var updated = status.UpdatedReplicas ?? 0;
        var readyUpdated = (int)(updated * ((float)readyThreshold / 100f));
        if (progress?.Reason == "ProgressDeadlineExceeded")
        {
            return new(false, $"deployment \"{deployment.Metadata.Name}\" exceeded its progress deadline");
        }

        if (deployment.Spec?.Replicas is { } desired && updated < desired)
        {
            return new(retriable, $"waiting for rollout to finish: {updated} out of {desired} new replicas have been updated");
        }

        if ((status.Replicas ?? 0) > updated)
        {
            return new(retriable, $"waiting for rollout to finish: {(status.Replicas ?? 0) - updated} old replicas are pending termination");
        }

        if ((status.AvailableReplicas ?? 0) < readyUpdated)
        {
            return new(retriable, $"waiting for rollout to finish: {status.AvailableReplicas ?? 0} of {readyUpdated} (readyThreshold {readyThreshold}%) updated replicas are available");
        }

        return ReadinessVerdict.Ready;
    }

    /// <summary>
    /// DaemonSet readiness; the deadline runs from the canary's <c>status.lastTransitionTime</c> (unset or unparsable
    /// counts as long ago, as upstream's zero time).
    /// </summary>
    // upstream: pkg/canary/daemonset_ready.go isDaemonSetReady
    public static ReadinessVerdict DaemonSet(V1DaemonSet daemonSet, string? canaryLastTransitionTime, int deadlineSeconds, int readyThreshold, DateTimeOffset now)
    {
        var status = daemonSet.Status ?? new V1DaemonSetStatus();
        if ((daemonSet.Metadata.Generation ?? 0) > (status.ObservedGeneration ?? 0))
        {
            return new(true, "waiting for rollout to finish: observed daemonset generation less than desired generation");
        }

        var desired = status.DesiredNumberScheduled;
        var updated = status.UpdatedNumberScheduled ?? 0;
        var notUpdated = updated < desired;
        var readyDesired = (int)(desired * ((float)readyThreshold / 100f));
        var notAvailable = (status.NumberAvailable ?? 0) < readyDesired;
        if (!notUpdated && !notAvailable)
        {
            return ReadinessVerdict.Ready;
        }

        var from = DateTimeOffset.TryParse(canaryLastTransitionTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : DateTimeOffset.MinValue;
        if (from.AddSeconds(Math.Max(0, deadlineSeconds)) < now)
        {
            return new(false, $"exceeded its progressDeadlineSeconds: {deadlineSeconds}");
        }

        return notUpdated
            ? new(true, $"waiting for rollout to finish: {updated} out of {desired} new pods have been updated")
            : new(true, $"waiting for rollout to finish: {status.NumberAvailable ?? 0} of {readyDesired} (readyThreshold {readyThreshold}%) updated pods are available");
    }
}
