using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Simulator;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flagger.Runtime.Tests.Kubernetes;

/// <summary>The event recorder against the simulated API: aggregation, and Events that disappeared under it.</summary>
public sealed class EventRecorderTests : IAsyncLifetime
{
    private SimulatedCluster _cluster = null!;
    private k8s.Kubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(installCrds: false);
        _client = new k8s.Kubernetes(_cluster.ClientConfiguration());
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_repeated_event_bumps_the_count_of_the_existing_event()
    {
        var recorder = Recorder();

        await recorder.RecordAsync(Podinfo(), "Normal", "Synced", "Initialization done! podinfo.test", TestContext.Current.CancellationToken);
        await recorder.RecordAsync(Podinfo(), "Normal", "Synced", "Initialization done! podinfo.test", TestContext.Current.CancellationToken);

        var recorded = Assert.Single(await EventsAsync());
        Assert.Equal(2, recorded.Count);
    }

    [Fact]
    public async Task An_event_deleted_under_the_recorder_by_the_ttl_or_a_recreated_namespace_is_created_again()
    {
        var recorder = Recorder();
        await recorder.RecordAsync(Podinfo(), "Normal", "Synced", "Advance podinfo.test canary weight 10", TestContext.Current.CancellationToken);
        var first = Assert.Single(await EventsAsync());
        await _client.CoreV1.DeleteNamespacedEventAsync(first.Metadata.Name, "test", cancellationToken: TestContext.Current.CancellationToken);

        await recorder.RecordAsync(Podinfo(), "Normal", "Synced", "Advance podinfo.test canary weight 10", TestContext.Current.CancellationToken);

        var again = Assert.Single(await EventsAsync());
        Assert.Equal("Advance podinfo.test canary weight 10", again.Message);
        Assert.Equal(1, again.Count);

        await recorder.RecordAsync(Podinfo(), "Normal", "Synced", "Advance podinfo.test canary weight 10", TestContext.Current.CancellationToken);
        Assert.Equal(2, Assert.Single(await EventsAsync()).Count);
    }

    private EventRecorder Recorder() =>
        new(TestCluster.Api(_cluster), new Leadership(electionEnabled: false), TimeProvider.System, NullLogger<EventRecorder>.Instance);

    private async Task<IList<Corev1Event>> EventsAsync() =>
        (await _client.CoreV1.ListNamespacedEventAsync("test", cancellationToken: TestContext.Current.CancellationToken)).Items;

    private static Canary Podinfo() => new()
    {
        ApiVersion = $"{FlaggerApi.Group}/{FlaggerApi.Version}",
        Kind = "Canary",
        Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test", Uid = "uid-1" },
    };
}
