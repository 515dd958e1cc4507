using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Runtime.Tests.Kubernetes;

/// <summary>The API client starts requests through the client-side rate limit; an established watch is not limited.</summary>
public sealed class KubeApiClientRateLimitTests
{
    [Fact]
    public async Task Requests_beyond_the_burst_reach_the_api_server_only_as_the_clock_allows()
    {
        await using var cluster = await TestCluster.StartAsync(installCrds: false);
        var time = new FakeTimeProvider();
        var configuration = cluster.ClientConfiguration();
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        var api = new KubeApiClient(new k8s.Kubernetes(configuration), TimeSpan.FromSeconds(5), new ClientRateLimiter(qps: 2, burst: 2, time));
        long Gets() => cluster.Requests.Count(verb: "get", resource: "configmaps");

        await api.GetAsync<V1ConfigMap>("test", "a", TestContext.Current.CancellationToken);
        await api.GetAsync<V1ConfigMap>("test", "b", TestContext.Current.CancellationToken);
        var third = api.GetAsync<V1ConfigMap>("test", "c", TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(2, Gets());
        Assert.False(third.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(500));
        await third.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(3, Gets());
    }

    [Fact]
    public async Task An_established_watch_streams_every_event_without_waiting_for_tokens()
    {
        await using var cluster = await TestCluster.StartAsync(installCrds: false);
        var time = new FakeTimeProvider();
        var configuration = cluster.ClientConfiguration();
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        var api = new KubeApiClient(new k8s.Kubernetes(configuration), TimeSpan.FromSeconds(5), new ClientRateLimiter(qps: 1, burst: 2, time));
        var (_, resourceVersion, _) = await api.ListAsync<V1ConfigMap>("test", null, TestContext.Current.CancellationToken);
        using var client = new k8s.Kubernetes(cluster.ClientConfiguration());

        var seen = new List<string>();
        await using var watch = api.WatchAsync<V1ConfigMap>("test", null, resourceVersion, 30, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var first = watch.MoveNextAsync();
        for (var i = 0; i < 5; i++)
        {
            await k8s.CoreV1OperationsExtensions.CreateNamespacedConfigMapAsync(client.CoreV1,
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm{i}" } }, "test", cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.True(await first.AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        seen.Add(watch.Current.Object!.Metadata.Name);
        while (seen.Count < 5 && await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken))
        {
            seen.Add(watch.Current.Object!.Metadata.Name);
        }

        Assert.Equal(["cm0", "cm1", "cm2", "cm3", "cm4"], seen);
    }
}
