using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Shared.Providers;
using Flagger.Modules.Workloads.Contracts;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// Starts a step: reads the canary from the cache, validates its spec, resolves its settings with the operator's mesh
/// provider and hands out the step's <see cref="StepContext"/> (target controller and routers from the factories).
/// A canary the model cannot read (a wrong JSON type) still gets a step: a stand-in with its metadata and status whose
/// verdict names the field, so it gets a condition and an event like any invalid spec.
/// </summary>
internal sealed class StepContextFactory(
    IKubeCache cache,
    ITargetControllerFactory workloads,
    IRoutingFactory routing,
    IOptions<RolloutOptions> options,
    TimeProvider time)
{
    // The warnings last reported per canary and spec generation: they are events, sent once per change, not every step.
    private readonly ConcurrentDictionary<CanaryKey, (long Generation, string Warnings)> _warned = new();

    /// <summary>
    /// The context of a step of <paramref name="key"/>, or null when the canary is gone. Its provider's kinds are watched
    /// and listed once before it is handed out, so every use of the step's router (deletion's finalize included) reads a
    /// complete cache; a canary being the first to use its provider waits for that first list.
    /// </summary>
    public async Task<StepContext?> CreateAsync(CanaryKey key, CancellationToken cancellationToken)
    {
        var canary = cache.Get<Canary>(key.Namespace, key.Name);
        if (canary is null)
        {
            _warned.TryRemove(key, out _);
            return cache.GetUnreadable<Canary>(key.Namespace, key.Name) is { } unreadable ? Unreadable(unreadable) : null;
        }

        // Unknown providers have no watches: the factory reports them when the router is asked for.
        foreach (var group in WatchRegistrations.GroupsOf(canary, ProviderCatalog.RouterName(routing.ProviderOf(canary))))
        {
            await cache.EnsureWatchingAsync(group, cancellationToken);
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
        return new StepContext(canary, settings, invalidSpec, clearsCondition, unreadable: false, time.GetUtcNow(), startedAt, workloads, routing)
        {
            Warnings = deleting ? null : NewWarnings(key, canary),
        };
    }

    private StepContext Unreadable(UnreadableObject unreadable)
    {
        var canary = new Canary
        {
            Metadata = Read<V1ObjectMeta>(unreadable.Raw, "metadata") ?? new V1ObjectMeta { Name = unreadable.Name, NamespaceProperty = unreadable.Namespace },
            Status = Read<CanaryStatus>(unreadable.Raw, "status"),
        };
        var settings = CanaryDefaults.Resolve(canary, options.Value.MeshProvider);
        return new StepContext(canary, settings, unreadable.ToString(), clearsValidatedCondition: false, unreadable: true, time.GetUtcNow(), Stopwatch.GetTimestamp(), workloads, routing);
    }

    private static T? Read<T>(JsonElement raw, string property) where T : class
    {
        if (raw.ValueKind != JsonValueKind.Object || !raw.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return KubernetesJson.Deserialize<T>(value.GetRawText());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // upstream: verifyCanary in pkg/controller/controller.go, plus our CanaryValidator and the one-canary-per-target rule.
    private string? Validate(Canary canary)
    {
        var errors = CanaryValidator.Validate(canary, ValidationOptions()).ToList();
        if (TargetConflict(canary) is { } conflict)
        {
            errors.Add(conflict);
        }

        return errors.Count == 0 ? null : string.Join("; ", errors.Select(e => e.ToString()));
    }

    // Two canaries releasing one workload would fight over its primary and routes: the newer one (by creationTimestamp,
    // then name) is invalid and names the other; the older one carries on.
    private ValidationError? TargetConflict(Canary canary)
    {
        if (canary.Spec.TargetRef is not { Name: { Length: > 0 } target, Kind: var kind })
        {
            return null;
        }

        var older = cache.List<Canary>(canary.Metadata.NamespaceProperty ?? "")
            .Where(other => other.Metadata.Name != canary.Metadata.Name
                && other.Metadata.DeletionTimestamp is null
                && other.Spec.TargetRef?.Name == target
                && other.Spec.TargetRef?.Kind == kind
                && IsOlder(other.Metadata, canary.Metadata))
            .OrderBy(other => other.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .FirstOrDefault();
        return older is null
            ? null
            : new ValidationError("spec.targetRef", $"{kind} {target} is already released by canary {older.Metadata.Name} (created earlier); one workload can have only one canary");
    }

    private static bool IsOlder(V1ObjectMeta other, V1ObjectMeta self)
    {
        var a = other.CreationTimestamp ?? DateTime.MaxValue;
        var b = self.CreationTimestamp ?? DateTime.MaxValue;
        return a < b || (a == b && string.CompareOrdinal(other.Name, self.Name) < 0);
    }

    private string? NewWarnings(CanaryKey key, Canary canary)
    {
        var warnings = CanaryValidator.Warnings(canary, ValidationOptions());
        var text = string.Join("; ", warnings.Select(w => w.ToString()));
        var generation = canary.Metadata.Generation ?? 0;
        var previous = _warned.GetValueOrDefault(key);
        _warned[key] = (generation, text);
        return text.Length > 0 && (previous.Generation != generation || previous.Warnings != text) ? text : null;
    }

    private ValidationOptions ValidationOptions() => new(options.Value.NoCrossNamespaceRefs, options.Value.MeshProvider);
}
