using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Providers;
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

    /// <summary>Registers <typeparamref name="TRouter"/> as the router of <paramref name="provider"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not a catalog row: add the row first.</exception>
    public static IServiceCollection AddTrafficRouter<TRouter>(this IServiceCollection services, string provider)
        where TRouter : class, ITrafficRouter
    {
        if (provider != NoneAlias && ProviderCatalog.Routers.All(r => r.Name != provider))
        {
            throw new ArgumentException(
                $"routing provider \"{provider}\" is not in the provider catalog (Shared/Providers/ProviderCatalog.cs)", nameof(provider));
        }

        services.TryAddSingleton<TRouter>();
        services.AddSingleton(sp => new TrafficRouterRegistration(provider, sp.GetRequiredService<TRouter>()));
        return services;
    }
}
