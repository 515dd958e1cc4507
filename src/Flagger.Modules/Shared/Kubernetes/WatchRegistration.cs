using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// A kind a module reads from the informer cache. Modules contribute them in their <c>Add…Module</c> method
/// (<see cref="WatchRegistrations.AddWatch{T}"/>); the cache set-up of <see cref="KubernetesAccess"/> starts one informer
/// per distinct kind, so the host never lists a provider's kinds and a router brings its own informers.
/// </summary>
/// <example><code>services.AddWatch&lt;VirtualService&gt;().AddWatch&lt;DestinationRule&gt;();</code></example>
public sealed class WatchRegistration
{
    private readonly Action<KubeCache> _register;

    private WatchRegistration(Type objectType, Action<KubeCache> register)
    {
        ObjectType = objectType;
        Kind = ResourceKind.Of(objectType);
        _register = register;
    }

    /// <summary>The C# model of the watched kind.</summary>
    public Type ObjectType { get; }

    /// <summary>Where the kind lives on the API server.</summary>
    public ResourceKind Kind { get; }

    /// <summary>The registration of <typeparamref name="T"/>.</summary>
    public static WatchRegistration For<T>() where T : class, IKubernetesObject<V1ObjectMeta> => new(typeof(T), cache => cache.Watch<T>());

    /// <summary>Adds the informer of this kind to <paramref name="cache"/>.</summary>
    internal void AddTo(KubeCache cache) => _register(cache);

    public override string ToString() => Kind.ToString();
}

/// <summary>The DI side of <see cref="WatchRegistration"/>.</summary>
public static class WatchRegistrations
{
    /// <summary>Declares that the calling module reads <typeparamref name="T"/> from <see cref="IKubeCache"/> (duplicates across modules are fine).</summary>
    public static IServiceCollection AddWatch<T>(this IServiceCollection services) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(WatchRegistration.For<T>());
        return services;
    }
}
