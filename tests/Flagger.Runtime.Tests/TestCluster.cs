using Flagger.Modules.Shared.Kubernetes;
using Flagger.Simulator;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests;

/// <summary>A simulated cluster with the repository's CRDs installed and a <c>test</c> namespace.</summary>
internal static class TestCluster
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<SimulatedCluster> StartAsync(bool installCrds = true, SimulatorOptions? options = null)
    {
        var cluster = await SimulatedCluster.StartAsync(options ?? new SimulatorOptions { EnableTraffic = false, WorkloadDelay = TimeSpan.FromMilliseconds(100) });
        using var client = new k8s.Kubernetes(cluster.ClientConfiguration());
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = "test" } });
        if (installCrds)
        {
            var files = Directory.GetFiles(Path.Combine(RepositoryRoot, "deploy", "crds"), "*.yaml").Order(StringComparer.Ordinal)
                .Concat(Directory.GetFiles(Path.Combine(RepositoryRoot, "deploy", "dev"), "*-crds.yaml").Order(StringComparer.Ordinal));
            foreach (var file in files)
            {
                foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file)).OfType<V1CustomResourceDefinition>())
                {
                    await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
                }
            }
        }

        return cluster;
    }

    public static KubeApiClient Api(SimulatedCluster cluster)
    {
        var configuration = cluster.ClientConfiguration();
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        return new KubeApiClient(new k8s.Kubernetes(configuration), TimeSpan.FromSeconds(5));
    }

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds; returns whether it did.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, int timeoutMs = 5000)
    {
        for (var waited = 0; waited < timeoutMs; waited += 20)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Flagger.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Flagger.sln not found above " + AppContext.BaseDirectory);
    }
}
