using Flagger.Modules.Shared.Crd;
using Flagger.Simulator;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;

namespace Flagger.Runtime.Tests;

/// <summary>A simulated cluster with a podinfo Deployment, and the operator running in-process against it.</summary>
internal sealed class RuntimeFixture : IAsyncDisposable
{
    private WebApplication? _app;

    private RuntimeFixture(SimulatedCluster cluster)
    {
        Cluster = cluster;
        Client = new k8s.Kubernetes(cluster.ClientConfiguration());
    }

    public SimulatedCluster Cluster { get; }

    public k8s.Kubernetes Client { get; }

    public static async Task<RuntimeFixture> StartAsync() => new(await TestCluster.StartAsync());

    /// <summary>The running operator's services (after <see cref="StartOperatorAsync(string[])"/>).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("the operator is not running");

    /// <summary>Starts the operator with upstream-style flags (kubeconfig, a 1s interval floor and a free port are added).</summary>
    public Task StartOperatorAsync(params string[] flags) => StartOperatorAsync(customize: null, flags);

    /// <summary>Starts the operator as above, with <paramref name="customize"/> applied to its host (e.g. a test-only router).</summary>
    public async Task StartOperatorAsync(Action<WebApplicationBuilder>? customize, params string[] flags)
    {
        var (app, exit) = FlaggerHost.Build(
            [$"-kubeconfig={Cluster.KubeconfigPath}", "-min-analysis-interval=1s", "-port=0", Environment.GetEnvironmentVariable("FLAGGER_TEST_LOG_LEVEL") is { Length: > 0 } level ? $"-log-level={level}" : "-log-level=warning", "-metrics-server=http://127.0.0.1:9", .. flags],
            customize);
        Assert.NotNull(app);
        Assert.Equal(0, exit);
        _app = app;
        await app.StartAsync(TestContext.Current.CancellationToken);
    }

    public async Task StopOperatorAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(TestContext.Current.CancellationToken);
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public Task<V1Deployment> CreateDeploymentAsync(string name, string image, int replicas = 1) =>
        Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test", Labels = new Dictionary<string, string> { ["app"] = name } },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container { Name = name, Image = image, Ports = [new V1ContainerPort { Name = "http", ContainerPort = 9898 }] }],
                    },
                },
            },
        }, "test", cancellationToken: TestContext.Current.CancellationToken);

    public async Task SetImageAsync(string deployment, string image)
    {
        var patch = System.Text.Json.JsonSerializer.Serialize(new { spec = new { template = new { spec = new { containers = new[] { new { name = deployment, image } } } } } });
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), deployment, "test", cancellationToken: TestContext.Current.CancellationToken);
    }

    public async Task<Canary> CreateCanaryAsync(Canary canary)
    {
        var generic = new GenericClient(Client, FlaggerApi.Group, FlaggerApi.Version, Canary.KubePlural, disposeClient: false);
        return await generic.CreateNamespacedAsync(canary, "test", TestContext.Current.CancellationToken);
    }

    public async Task<Canary?> GetCanaryAsync(string name)
    {
        var generic = new GenericClient(Client, FlaggerApi.Group, FlaggerApi.Version, Canary.KubePlural, disposeClient: false);
        try
        {
            return await generic.ReadNamespacedAsync<Canary>("test", name, TestContext.Current.CancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits (bounded) for the canary to reach <paramref name="phase"/>; fails with the phases seen on the way.</summary>
    public async Task<Canary> WaitForPhaseAsync(string name, CanaryPhase phase, int timeoutSeconds = 120)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            var canary = await GetCanaryAsync(name);
            var current = canary?.Status?.Phase ?? "";
            if (seen.Count == 0 || seen[^1] != current)
            {
                seen.Add(current);
            }

            if (current == phase.ToString())
            {
                return canary!;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var events = await EventMessagesAsync();
        var last = await GetCanaryAsync(name);
        var deployments = await Client.AppsV1.ListNamespacedDeploymentAsync("test", cancellationToken: TestContext.Current.CancellationToken);
        var workloads = string.Join("; ", deployments.Items.Select(d =>
            $"{d.Metadata.Name} gen={d.Metadata.Generation} observed={d.Status?.ObservedGeneration} replicas={d.Spec.Replicas} updated={d.Status?.UpdatedReplicas} available={d.Status?.AvailableReplicas}"));
        Assert.Fail($"canary {name} did not reach {phase} within {timeoutSeconds}s; phases seen: {string.Join(" → ", seen)}; " +
            $"status: {KubernetesJson.Serialize(last?.Status)}; workloads: {workloads}; events: {string.Join(" | ", events)}");
        return null!;
    }

    /// <summary>Reads the Istio VirtualService (null when absent).</summary>
    public async Task<Flagger.Modules.Routing.Istio.VirtualService?> GetVirtualServiceAsync(string name)
    {
        var client = new GenericClient(Client, "networking.istio.io", "v1beta1", "virtualservices", disposeClient: false);
        try
        {
            return await client.ReadNamespacedAsync<Flagger.Modules.Routing.Istio.VirtualService>("test", name, TestContext.Current.CancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Patches the canary with a JSON merge patch.</summary>
    public async Task PatchCanaryAsync(string name, object patch)
    {
        var generic = new GenericClient(Client, FlaggerApi.Group, FlaggerApi.Version, Canary.KubePlural, disposeClient: false);
        await generic.PatchNamespacedAsync<Canary>(new V1Patch(System.Text.Json.JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch), "test", name, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Samples <paramref name="sample"/> every 100 ms until the canary reaches <paramref name="phase"/>; returns the
    /// samples taken together with the canary status at that moment, in order.
    /// </summary>
    public async Task<List<(CanaryStatus? Status, T Sample)>> SampleUntilPhaseAsync<T>(string name, CanaryPhase phase, Func<Task<T>> sample, int timeoutSeconds = 120)
    {
        var samples = new List<(CanaryStatus?, T)>();
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            var canary = await GetCanaryAsync(name);
            samples.Add((canary?.Status, await sample()));
            if (canary?.Status?.Phase == phase.ToString())
            {
                return samples;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await WaitForPhaseAsync(name, phase, timeoutSeconds: 1);
        return samples;
    }

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds; fails with <paramref name="what"/> otherwise.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"not reached within {timeoutSeconds}s: {what}");
    }

    public async Task<List<string>> EventMessagesAsync()
    {
        var events = await Client.CoreV1.ListNamespacedEventAsync("test", cancellationToken: TestContext.Current.CancellationToken);
        return [.. events.Items.OrderBy(e => e.Metadata.ResourceVersion?.PadLeft(12, '0')).Select(e => e.Message)];
    }

    public async ValueTask DisposeAsync()
    {
        await StopOperatorAsync();
        Client.Dispose();
        await Cluster.DisposeAsync();
    }
}
