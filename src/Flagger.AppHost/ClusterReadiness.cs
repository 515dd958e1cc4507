namespace Flagger.AppHost;

internal static class ClusterReadiness
{
    /// <summary>
    /// Waits until the cluster is up and seeded: the simulator is healthy once its seed is applied (it runs on);
    /// the k3s setup script is a one-shot executable, so dependants wait for its successful completion.
    /// </summary>
    public static IResourceBuilder<T> WaitForCluster<T>(this IResourceBuilder<T> resource, IResourceBuilder<IResource> cluster)
        where T : IResourceWithWaitSupport =>
        cluster.Resource is ExecutableResource setup
            ? resource.WaitForCompletion(resource.ApplicationBuilder.CreateResourceBuilder(setup))
            : resource.WaitFor(cluster);
}
