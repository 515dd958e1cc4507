using System.Text.Json;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Kit;

/// <summary>What a write helper did, so the router can log it in its own words.</summary>
internal enum WriteOutcome
{
    /// <summary>Nothing to do (the object already matched, or there is nothing to restore).</summary>
    Unchanged,

    /// <summary>The object did not exist and was created.</summary>
    Created,

    /// <summary>The object existed and was replaced.</summary>
    Updated,

    /// <summary>Finalize found the object but no original configuration to restore.</summary>
    NoOriginal,
}

/// <summary>The desired state of one router object, for <see cref="RouterObjects.CreateOrUpdateAsync{T, TSpec}"/>.</summary>
/// <param name="Namespace">The canary's namespace.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Spec">The spec to write.</param>
/// <param name="Labels">Labels to write; null means the router does not manage the labels of an existing object.</param>
/// <param name="Annotations">Annotations to write (kubectl's and the original-configuration annotations are kept); null = unmanaged.</param>
/// <param name="RememberOriginal">
/// The first spec change of an object Flagger did not create (a takeover) saves the user's spec in
/// <c>flagger.kubernetes.io/original-configuration</c> for <see cref="RouterObjects.RestoreOriginalAsync{T, TSpec}"/>
/// (needs managed annotations).
/// </param>
/// <param name="SameSpec">How specs are compared; null = <see cref="RoutingConventions.SemanticEquals"/> of their JSON.</param>
internal sealed record DesiredObject<TSpec>(
    string Namespace,
    string Name,
    TSpec Spec,
    IDictionary<string, string>? Labels = null,
    IDictionary<string, string>? Annotations = null,
    bool RememberOriginal = false,
    Func<TSpec, TSpec, bool>? SameSpec = null);

/// <summary>
/// The writes every router shares (upstream: the create-or-update and Finalize halves of each pkg/router/*.go):
/// create-or-update with the controller ownerReference to the canary, and restore of a taken-over object's original
/// spec on finalize. Reads go through the cache (<see cref="RoutingObjectStore"/>); nothing is written when the object
/// already matches, so a steady-state reconcile costs no API call.
/// </summary>
internal sealed class RouterObjects(RoutingObjectStore store, IOptions<RoutingOptions> options)
{
    /// <summary>Creates the object (owned by <paramref name="canary"/>) or replaces its spec (and managed metadata) when they differ.</summary>
    public async Task<WriteOutcome> CreateOrUpdateAsync<T, TSpec>(
        Canary canary, T? existing, DesiredObject<TSpec> desired, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>, new()
    {
        if (existing is null)
        {
            var created = new T
            {
                Metadata = new V1ObjectMeta
                {
                    Name = desired.Name,
                    NamespaceProperty = desired.Namespace,
                    Labels = desired.Labels,
                    Annotations = desired.Annotations,
                    OwnerReferences = options.Value.SetOwnerReferences ? [ControllerRef(canary)] : null,
                },
                Spec = desired.Spec,
            };
            await store.CreateAsync(created, cancellationToken).ConfigureAwait(false);
            return WriteOutcome.Created;
        }

        var annotations = desired.Annotations is null ? null : new Dictionary<string, string>(desired.Annotations);
        if (annotations is not null)
        {
            OriginalConfiguration.CarryOver(existing.Metadata, annotations);
        }

        var sameSpec = desired.SameSpec ?? ((left, right) => SemanticEquals(ToNode(left), ToNode(right)));
        var specChanged = !sameSpec(desired.Spec, existing.Spec);
        var metadataChanged = (desired.Labels is not null && !MapEquals(desired.Labels, existing.Metadata.Labels))
            || (annotations is not null && !MapEquals(annotations, existing.Metadata.Annotations));
        if (!specChanged && !metadataChanged)
        {
            return WriteOutcome.Unchanged;
        }

        if (specChanged && desired.RememberOriginal && annotations is not null)
        {
            OriginalConfiguration.Remember(annotations, existing.Spec);
        }

        var clone = Clone(existing);
        clone.Spec = desired.Spec;
        if (desired.Labels is not null)
        {
            clone.Metadata.Labels = desired.Labels;
        }

        if (annotations is not null)
        {
            clone.Metadata.Annotations = annotations;
        }

        await store.ReplaceAsync(clone, cancellationToken).ConfigureAwait(false);
        return WriteOutcome.Updated;
    }

    /// <summary>
    /// Puts back the spec a user's object had before Flagger took it over (revertOnDeletion): kubectl's last-applied
    /// configuration first, then the saved original. Objects Flagger created carry neither and are left alone.
    /// </summary>
    /// <exception cref="RoutingException">An annotation holds JSON that does not parse.</exception>
    public async Task<WriteOutcome> RestoreOriginalAsync<T, TSpec>(string @namespace, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>
    {
        var current = store.Get<T>(@namespace, name);
        if (current is null)
        {
            return WriteOutcome.Unchanged;
        }

        if (!OriginalConfiguration.TryRead<T, TSpec>(current, out var original))
        {
            return WriteOutcome.NoOriginal;
        }

        if (SemanticEquals(ToNode(original), ToNode(current.Spec)))
        {
            return WriteOutcome.Unchanged;
        }

        var clone = Clone(current);
        clone.Spec = original;
        await store.ReplaceAsync(clone, cancellationToken).ConfigureAwait(false);
        return WriteOutcome.Updated;
    }
}

/// <summary>
/// The <c>flagger.kubernetes.io/original-configuration</c> annotation rule (upstream: pkg/router/*.go, Finalize):
/// the user's spec is saved once, on the first change Flagger makes to an object it took over, and restored on
/// finalize, where kubectl's <c>last-applied-configuration</c> wins when present.
/// </summary>
internal static class OriginalConfiguration
{
    /// <summary>Keeps the two annotations an existing object carries in the annotations about to be written.</summary>
    public static void CarryOver(V1ObjectMeta existing, IDictionary<string, string> annotations)
    {
        foreach (var key in new[] { KubectlAnnotation, OriginalConfigurationAnnotation })
        {
            if (existing.Annotations?.TryGetValue(key, out var value) == true)
            {
                annotations[key] = value;
            }
        }
    }

    /// <summary>
    /// Saves <paramref name="userSpec"/> unless a previous original (or kubectl's configuration) is already there. Unlike
    /// upstream, which overwrites it on every spec change, the first (the user's) original is kept.
    /// </summary>
    public static void Remember<TSpec>(IDictionary<string, string> annotations, TSpec userSpec)
    {
        if (!annotations.ContainsKey(KubectlAnnotation) && !annotations.ContainsKey(OriginalConfigurationAnnotation))
        {
            annotations[OriginalConfigurationAnnotation] = KubernetesJson.Serialize(userSpec);
        }
    }

    /// <summary>The spec to restore, from kubectl's last-applied object or the saved original spec.</summary>
    /// <exception cref="RoutingException">The annotation does not parse.</exception>
    public static bool TryRead<T, TSpec>(T obj, out TSpec original)
        where T : class, IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>
    {
        var annotations = obj.Metadata.Annotations;
        if (annotations?.TryGetValue(KubectlAnnotation, out var lastApplied) == true)
        {
            original = Parse<T>(obj, lastApplied, KubectlAnnotation).Spec;
            return true;
        }

        if (annotations?.TryGetValue(OriginalConfigurationAnnotation, out var saved) == true)
        {
            original = Parse<TSpec>(obj, saved, OriginalConfigurationAnnotation);
            return true;
        }

        original = default!;
        return false;
    }

    private static TResult Parse<TResult>(IKubernetesObject<V1ObjectMeta> obj, string json, string annotation)
    {
        try
        {
            return KubernetesJson.Deserialize<TResult>(json);
        }
        catch (JsonException e)
        {
            throw new RoutingException(
                $"{obj.Kind} {obj.Metadata.Name}.{obj.Metadata.NamespaceProperty} failed to unmarshal annotation {annotation}: {e.Message}", e);
        }
    }
}
