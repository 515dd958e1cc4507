using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Runtime.Tests.Kubernetes;

/// <summary>The flags that shape cluster access reach the objects that act on them (built, not started).</summary>
public sealed class ClusterAccessWiringTests
{
    [Fact]
    public async Task With_enable_leader_election_the_operator_does_not_lead_until_it_wins_the_lease()
    {
        await using var cluster = await TestCluster.StartAsync(installCrds: false);
        var (app, _) = FlaggerHost.Build([$"-kubeconfig={cluster.KubeconfigPath}", "-port=0", "-enable-leader-election"]);
        await using var built = app!;

        var leadership = built.Services.GetRequiredService<Leadership>();

        Assert.False(leadership.IsLeader);
        Assert.True(leadership.Token.IsCancellationRequested);
        Assert.Throws<KubeApiException>(() => leadership.EnsureLeader("create deployment"));
    }

    [Fact]
    public async Task Without_leader_election_the_operator_leads_from_the_start()
    {
        await using var cluster = await TestCluster.StartAsync(installCrds: false);
        var (app, _) = FlaggerHost.Build([$"-kubeconfig={cluster.KubeconfigPath}", "-port=0"]);
        await using var built = app!;

        Assert.True(built.Services.GetRequiredService<Leadership>().IsLeader);
    }

    [Fact]
    public async Task Kubeconfig_qps_and_burst_set_the_client_side_rate_limit_with_upstreams_defaults()
    {
        await using var cluster = await TestCluster.StartAsync(installCrds: false);
        var (tuned, _) = FlaggerHost.Build([$"-kubeconfig={cluster.KubeconfigPath}", "-port=0", "-kubeconfig-qps=7", "-kubeconfig-burst=9"]);
        var (defaults, _) = FlaggerHost.Build([$"-kubeconfig={cluster.KubeconfigPath}", "-port=0"]);
        await using var tunedApp = tuned!;
        await using var defaultApp = defaults!;

        var limiter = tunedApp.Services.GetRequiredService<ClientRateLimiter>();
        var upstream = defaultApp.Services.GetRequiredService<ClientRateLimiter>();

        Assert.Equal((7d, 9), (limiter.Qps, limiter.Burst));
        Assert.Equal((100d, 250), (upstream.Qps, upstream.Burst));
    }
}
