using System.Collections;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Shared.Providers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flagger.Modules.Routing;

/// <summary>
/// One implemented routing provider: the catalog name (<see cref="ProviderCatalog"/>) the <see cref="RoutingFactory"/>
/// answers with <paramref name="Router"/>. The set of registrations is the only answer to "is this provider implemented?".
/// </summary>
/// <param name="Provider">A <see cref="ProviderCatalog"/> name, or <see cref="TrafficRouterRegistrations.NoneAlias"/>.</param>
/// <param name="Router">The router of every canary with this provider (routers are stateless singletons).</param>
internal sealed record TrafficRouterRegistration(string Provider, ITrafficRouter Router);

/// <summary>Registration of a provider's traffic router: one line in its folder's <c>Add…Router</c> method.</summary>
internal static class TrafficRouterRegistrations
{
    /// <summary><c>spec.provider: none</c>, upstream's spelling of "no mesh" (the <c>kubernetes</c> router); not a catalog row.</summary>
    public const string NoneAlias = "none";

    /// <summary>
    /// Registers <typeparamref name="TRouter"/> as the router of <paramref name="provider"/>; the chain that follows adds
    /// more providers and the kinds their routers read, watched only once a canary uses one of them.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not a catalog row: add the row first.</exception>
    public static TrafficRouterBuilder AddTrafficRouter<TRouter>(this IServiceCollection services, string provider)
        where TRouter : class, ITrafficRouter =>
        new TrafficRouterBuilder(services).AddTrafficRouter<TRouter>(provider);

    /// <summary>Registers <typeparamref name="TRouter"/> under <paramref name="provider"/> after checking the catalog.</summary>
    internal static void Register<TRouter>(IServiceCollection services, string provider)
        where TRouter : class, ITrafficRouter
    {
        if (provider != NoneAlias && ProviderCatalog.Routers.All(r => r.Name != provider))
        {
            throw new ArgumentException(
                $"routing provider \"{provider}\" is not in the provider catalog (Shared/Providers/ProviderCatalog.cs)", nameof(provider));
        }

        services.TryAddSingleton<TRouter>();
        services.AddSingleton(sp => new TrafficRouterRegistration(provider, sp.GetRequiredService<TRouter>()));
    }
}

/// <summary>
/// A provider's registration chain, <c>services.AddTrafficRouter&lt;R&gt;("a").AddTrafficRouter&lt;R&gt;("b").AddWatch&lt;K&gt;()</c>:
/// each <see cref="AddWatch{T}"/> registers a kind read by the routers of ALL the chain's providers, which the cache
/// starts watching when a canary first uses one of them (<see cref="IKubeCache.EnsureWatchingAsync"/>). It is also the
/// <see cref="IServiceCollection"/> it wraps, so a registration method can return it as such.
/// </summary>
internal sealed class TrafficRouterBuilder(IServiceCollection services) : IServiceCollection
{
    private readonly List<string> _providers = [];

    /// <summary>Adds <paramref name="provider"/>, routed by <typeparamref name="TRouter"/>, to the chain.</summary>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not a catalog row: add the row first.</exception>
    public TrafficRouterBuilder AddTrafficRouter<TRouter>(string provider)
        where TRouter : class, ITrafficRouter
    {
        TrafficRouterRegistrations.Register<TRouter>(services, provider);
        _providers.Add(provider);
        return this;
    }

    /// <summary>
    /// Declares that the chain's routers read <typeparamref name="T"/>: watched from the first canary that uses one of the
    /// chain's providers (or from the start when a core module also declares it with <see cref="WatchRegistrations.AddWatch{T}(IServiceCollection)"/>).
    /// </summary>
    public TrafficRouterBuilder AddWatch<T>() where T : class, IKubernetesObject<V1ObjectMeta>
    {
        services.AddSingleton(WatchRegistration.For<T>(_providers));
        return this;
    }

    public ServiceDescriptor this[int index]
    {
        get => services[index];
        set => services[index] = value;
    }

    public int Count => services.Count;

    public bool IsReadOnly => services.IsReadOnly;

    public void Add(ServiceDescriptor item) => services.Add(item);

    public void Clear() => services.Clear();

    public bool Contains(ServiceDescriptor item) => services.Contains(item);

    public void CopyTo(ServiceDescriptor[] array, int arrayIndex) => services.CopyTo(array, arrayIndex);

    public IEnumerator<ServiceDescriptor> GetEnumerator() => services.GetEnumerator();

    public int IndexOf(ServiceDescriptor item) => services.IndexOf(item);

    public void Insert(int index, ServiceDescriptor item) => services.Insert(index, item);

    public bool Remove(ServiceDescriptor item) => services.Remove(item);

    public void RemoveAt(int index) => services.RemoveAt(index);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
