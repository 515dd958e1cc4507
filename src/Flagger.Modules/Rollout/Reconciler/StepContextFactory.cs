using System.Diagnostics;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Starts a step: reads the canary from the cache, validates its spec, resolves its settings with the operator's mesh
/// provider and hands out the step's <see cref="StepContext"/> (target controller and routers from the factories).
/// </summary>
internal sealed class StepContextFactory(
    IKubeCache cache,
    ITargetControllerFactory workloads,
    IRoutingFactory routing,
    IOptions<RolloutOptions> options,
    TimeProvider time)
{
    /// <summary>The context of a step of <paramref name="key"/>, or null when the canary is gone.</summary>
    public StepContext? Create(CanaryKey key)
    {
        var canary = cache.Get<Canary>(key.Namespace, key.Name);
        if (canary is null)
        {
            return null;
        }

        var startedAt = Stopwatch.GetTimestamp();

        // A canary being deleted is finalized whatever its spec says.
        var deleting = canary.Metadata.DeletionTimestamp is not null;
        var invalidSpec = deleting ? null : Validate(canary);
        var clearsCondition = !deleting && invalidSpec is null && ValidatedCondition.Find(canary.Status) is not null;
        if (clearsCondition)
        {
            canary = ValidatedCondition.Without(canary);
        }

        var settings = CanaryDefaults.Resolve(canary, options.Value.MeshProvider);
        return new StepContext(canary, settings, invalidSpec, clearsCondition, time.GetUtcNow(), startedAt, workloads, routing);
    }

    // upstream: verifyCanary in pkg/controller/controller.go, plus our CanaryValidator.
    private string? Validate(Canary canary)
    {
        var errors = CanaryValidator.Validate(canary, new ValidationOptions(options.Value.NoCrossNamespaceRefs, options.Value.MeshProvider));
        return errors.Count == 0 ? null : string.Join("; ", errors.Select(e => e.ToString()));
    }
}
