using k8s;

namespace Flagger.Runtime.Configuration;

/// <summary>Finds the API server as upstream does: <c>-kubeconfig</c>, else in-cluster, else the default kubeconfig.</summary>
internal static class KubeConfigLoader
{
    public static KubernetesClientConfiguration Load(FlaggerOptions options, OperatorIdentity identity)
    {
        var config = !string.IsNullOrEmpty(options.Kubeconfig)
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig)
            : KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildDefaultConfig();
        if (!string.IsNullOrEmpty(options.Master))
        {
            config.Host = options.Master;
        }

        config.UserAgent = identity.UserAgent;
        return config;
    }
}
