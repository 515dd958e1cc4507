using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// A kind a module reads from the informer cache. Modules contribute them in their <c>Add…Module</c> method
/// (<see cref="WatchRegistrations.AddWatch{T}(IServiceCollection)"/>); the cache set-up of <see cref="KubernetesAccess"/> creates one informer
/// per distinct kind, so the host never lists a provider's kinds and a router brings its own informers. A kind of
/// routing providers (<see cref="Providers"/>, registered through a provider's <c>AddTrafficRouter(…).AddWatch&lt;T&gt;()</c>
/// chain) starts only when a canary uses one of them; the others start with the operator.
/// </summary>
/// <example><code>services.AddWatch&lt;V1Deployment&gt;().AddWatch&lt;V1Service&gt;();</code></example>
public sealed class WatchRegistration
{
    private readonly Action<KubeCache> _register;

    private WatchRegistration(Type objectType, IReadOnlyCollection<string> providers, Action<KubeCache> register)
    {
        ObjectType = objectType;
        Kind = ResourceKind.Of(objectType);
        Providers = providers;
        _register = register;
    }

    /// <summary>The C# model of the watched kind.</summary>
    public Type ObjectType { get; }

    /// <summary>Where the kind lives on the API server.</summary>
    public ResourceKind Kind { get; }

    /// <summary>The routing providers whose routers read the kind (watched on demand), or empty: watched from the start.</summary>
    public IReadOnlyCollection<string> Providers { get; }

    /// <summary>The registration of <typeparamref name="T"/>, watched from the start.</summary>
    public static WatchRegistration For<T>() where T : class, IKubernetesObject<V1ObjectMeta> => new(typeof(T), [], cache => cache.Watch<T>());

    /// <summary>
    /// The registration of <typeparamref name="T"/> for the routers of <paramref name="providers"/> (catalog names), watched
    /// once one of them is used. The collection is read when the cache is built, so a chain may still add providers.
    /// </summary>
    internal static WatchRegistration For<T>(IReadOnlyCollection<string> providers) where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(typeof(T), providers, cache => cache.Watch<T>(providers));

    /// <summary>Adds the informer of this kind to <paramref name="cache"/>.</summary>
    internal void AddTo(KubeCache cache) => _register(cache);

    public override string ToString() => Kind.ToString();
}

/// <summary>
/// A routing provider whose on-demand kinds start with the operator instead of at first use: the global mesh provider
/// (<c>-mesh-provider</c>), which most canaries use, so its kinds are listed before the first step and count for readiness.
/// </summary>
/// <param name="Provider">A provider's catalog name.</param>
public sealed record ProviderWatchedAtBoot(string Provider);

/// <summary>The DI side of <see cref="WatchRegistration"/>.</summary>
public static class WatchRegistrations
{
    /// <summary>The on-demand group of the kinds only a KEDA <c>ScaledObject</c> autoscaler reads.</summary>
    public const string KedaGroup = "keda";

    /// <summary>
    /// The on-demand groups a step of <paramref name="canary"/> needs (see <see cref="AddWatch{T}(IServiceCollection, string)"/>):
    /// its routing provider's (<paramref name="routerName"/>), and <see cref="KedaGroup"/> for a <c>ScaledObject</c> autoscaler.
    /// </summary>
    public static IEnumerable<string> GroupsOf(Crd.Canary canary, string routerName)
    {
        ArgumentNullException.ThrowIfNull(canary);
        yield return routerName;
        if (canary.Spec.AutoscalerRef?.Kind == Crd.KnownValues.ScaledObjectKind)
        {
            yield return KedaGroup;
        }
    }

    /// <summary>
    /// Declares a kind the calling module reads only for canaries of one routing provider or feature
    /// (<paramref name="onDemandFor"/>: a catalog name such as <c>knative</c>, or <see cref="KedaGroup"/>): watched from
    /// the first <see cref="IKubeCache.EnsureWatchingAsync"/> of that group, so clusters without it see no requests.
    /// </summary>
    public static IServiceCollection AddWatch<T>(this IServiceCollection services, string onDemandFor) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(onDemandFor);
        services.AddSingleton(WatchRegistration.For<T>([onDemandFor]));
        return services;
    }

    /// <summary>
    /// Declares that the calling module reads <typeparamref name="T"/> from <see cref="IKubeCache"/>, watched from the start
    /// (duplicates across modules are fine). A router's kinds go through its <c>AddTrafficRouter</c> chain instead.
    /// </summary>
    public static IServiceCollection AddWatch<T>(this IServiceCollection services) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(WatchRegistration.For<T>());
        return services;
    }
}
