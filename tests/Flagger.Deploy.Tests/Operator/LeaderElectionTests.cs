using System.Diagnostics;
using Flagger.Modules.Shared.Crd;
using k8s;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>
/// Two replicas of the operator as two real processes with <c>-enable-leader-election</c> against one simulated cluster.
/// Every request carries the replica's identity in its user agent, so the simulator's request accounting tells who
/// wrote what: the follower writes nothing but its Lease attempts, and after the leader is killed (<c>kill -9</c>) the
/// follower takes the Lease over and finishes the release.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class LeaderElectionTests
{
    private const string ElectionNamespace = "flagger-system";
    private const string LeaseName = "flagger-leader-election";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(5);
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    [Fact]
    public async Task Only_the_leader_writes_and_the_follower_takes_over_within_the_lease_after_kill_9_and_completes_the_release()
    {
        await using var harness = await OperatorHarness.StartAsync(installCrds: true, "test", ElectionNamespace);
        string[] Flags() =>
        [
            $"-kubeconfig={harness.Cluster.KubeconfigPath}", "-enable-leader-election", $"-leader-election-namespace={ElectionNamespace}",
            "-mesh-provider=kubernetes", "-min-analysis-interval=1s", "-port=0", "-log-level=info",
        ];
        using var first = OperatorProcess.Start("first", Flags());
        var leader = await WaitForLeaseHolderAsync(harness, except: null, TimeSpan.FromSeconds(60), first);
        using var second = OperatorProcess.Start("second", Flags());
        var follower = await WaitForFollowerIdentityAsync(harness, leader, second);

        harness.Apply(OperatorHarness.Deployment("test", "podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0"));
        harness.Apply(BlueGreenCanary());
        await harness.WaitForPhaseAsync("test", "podinfo", CanaryPhase.Initialized, timeoutSeconds: 90);
        await harness.SetImageAsync("test", "podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await harness.WaitForPhaseAsync("test", "podinfo", CanaryPhase.Progressing, timeoutSeconds: 60);

        Assert.Equal(leader, await LeaseHolderAsync(harness));
        var followerWrites = NonLeaseWrites(harness, follower);
        var leaderWrites = NonLeaseWrites(harness, leader);
        var killedAt = Stopwatch.StartNew();
        first.Kill();
        var newLeader = await WaitForLeaseHolderAsync(harness, except: leader, LeaseDuration + (3 * RetryPeriod), second);
        var takeover = killedAt.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"leader takeover after kill -9: {takeover.TotalSeconds:0.0}s (lease {LeaseDuration.TotalSeconds:0}s)");

        await harness.WaitForPhaseAsync("test", "podinfo", CanaryPhase.Succeeded, timeoutSeconds: 90);
        Assert.True(followerWrites.Count == 0, $"the follower wrote while the leader lived: {string.Join(", ", followerWrites)}");
        Assert.NotEmpty(leaderWrites);
        Assert.Equal(follower, newLeader);
        // The Lease was last renewed at most one retry period before the kill; the follower polls every retry period.
        Assert.True(takeover <= LeaseDuration + RetryPeriod, $"takeover took {takeover.TotalSeconds:0.0}s");
        Assert.NotEmpty(NonLeaseWrites(harness, follower));
        var primary = await harness.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
    }

    private static string BlueGreenCanary() => """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: test
        spec:
          provider: kubernetes
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo
          progressDeadlineSeconds: 120
          service:
            port: 9898
          analysis:
            interval: 1s
            threshold: 2
            iterations: 8
        """;

    /// <summary>Writes (any verb that changes state) by the replica whose user agent names <paramref name="identity"/>, the Lease excepted.</summary>
    private static List<string> NonLeaseWrites(OperatorHarness harness, string identity) =>
    [
        .. harness.Cluster.Requests.Requests(identity)
            .Where(r => WriteVerbs.Contains(r.Key.Verb) && r.Key.Resource != "leases")
            .Select(r => $"{r.Key.Verb} {r.Key.Resource}/{r.Key.Subresource} {r.Key.Namespace}/{r.Key.Name} ×{r.Value}"),
    ];

    private static async Task<string?> LeaseHolderAsync(OperatorHarness harness)
    {
        try
        {
            var lease = await harness.Client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, ElectionNamespace, cancellationToken: TestContext.Current.CancellationToken);
            return lease.Spec?.HolderIdentity;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<string> WaitForLeaseHolderAsync(OperatorHarness harness, string? except, TimeSpan timeout, OperatorProcess watched)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await LeaseHolderAsync(harness) is { Length: > 0 } holder && holder != except)
            {
                return holder;
            }

            Assert.False(watched.HasExited, $"{watched.Name} exited: {watched.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"no new Lease holder within {timeout.TotalSeconds:0}s (holder: {await LeaseHolderAsync(harness)}); {watched.Name}: {watched.Output}");
        return null!;
    }

    /// <summary>The second replica's identity, from the user agent of its first requests (it shares none with the leader's).</summary>
    private static async Task<string> WaitForFollowerIdentityAsync(OperatorHarness harness, string leader, OperatorProcess follower)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var agents = harness.Cluster.Requests.Requests(OperatorHarness.UserAgent)
                .Where(r => r.Key.Resource == "leases")
                .Select(r => r.Key.UserAgent)
                .Where(ua => !ua.Contains(leader, StringComparison.Ordinal))
                .Distinct()
                .ToList();
            if (agents.Count == 1)
            {
                var ua = agents[0];
                return ua[(ua.IndexOf('(', StringComparison.Ordinal) + 1)..ua.LastIndexOf(')')];
            }

            Assert.False(follower.HasExited, $"{follower.Name} exited: {follower.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"the second replica never asked for the Lease: {follower.Output}");
        return null!;
    }
}
