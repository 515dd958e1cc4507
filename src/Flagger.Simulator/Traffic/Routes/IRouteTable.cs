using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// One provider's routing objects (VirtualServices, HTTPRoutes, …) read as routes. The traffic model asks its tables
/// in order for every Service that receives requests; the first route returned decides where the requests go.
/// </summary>
internal interface IRouteTable
{
    /// <summary>
    /// The live route of Service <paramref name="service"/> in <paramref name="ns"/>, or null when this provider's
    /// objects do not route it. Called under <see cref="ClusterStore.Read{T}"/>, so reading object nodes is safe.
    /// </summary>
    Route? Find(ClusterStore store, string ns, string service);
}
