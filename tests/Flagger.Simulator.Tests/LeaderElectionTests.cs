using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Flagger.Simulator.Tests;

public sealed class LeaderElectionTests(SimFixture fx) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task KubernetesClient_lease_leader_election_elects_exactly_one_holder()
    {
        var ns = await fx.NamespaceAsync("le");
        LeaderElector Elector(string identity) => new(new LeaderElectionConfig(new LeaseLock(fx.Client, ns, "flagger-leader", identity))
        {
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        });

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var a = Elector("a");
        using var b = Elector("b");
        var leaders = new List<string>();
        a.OnStartedLeading += () => { lock (leaders) { leaders.Add("a"); } };
        var running = a.RunUntilLeadershipLostAsync(cts.Token);
        await Expect.EventuallyAsync(() => { lock (leaders) { return Task.FromResult(leaders.Count); } }, n => n == 1);

        b.OnStartedLeading += () => { lock (leaders) { leaders.Add("b"); } };
        var second = b.RunUntilLeadershipLostAsync(cts.Token);
        await Task.Delay(700);
        var lease = await fx.Client.CoordinationV1.ReadNamespacedLeaseAsync("flagger-leader", ns);
        Assert.Equal("a", lease.Spec.HolderIdentity);
        lock (leaders)
        {
            Assert.Equal(["a"], leaders);
        }

        await cts.CancelAsync();
        foreach (var task in new[] { running, second })
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
                // The electors stop by cancellation.
            }
        }
    }
}
