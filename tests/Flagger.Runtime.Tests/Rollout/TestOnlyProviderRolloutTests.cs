using System.Collections.Concurrent;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>
/// A routing provider the catalog knows but production does not implement (<c>kuma</c>), registered by a test with
/// the same one line a provider folder uses, is driven through a whole release by the unchanged operator.
/// </summary>
[Collection(RolloutCollection.Name)]
public sealed class TestOnlyProviderRolloutTests
{
    [Fact]
    public async Task A_release_on_a_test_only_kuma_router_shifts_its_weights_step_by_step_and_promotes()
    {
        var router = new RecordingRouter();
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                Provider = "kuma",
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10 },
            },
        });
        await fixture.StartOperatorAsync(b => b.Services.AddSingleton(router).AddTrafficRouter<RecordingRouter>("kuma"));
        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await fixture.SetImageAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");

        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Advance podinfo.test canary weight 10", events);
        Assert.Contains("Advance podinfo.test canary weight 20", events);
        var splits = router.Calls.ToList();
        Assert.Contains(new TrafficSplit(90, 10, false), splits);
        Assert.Contains(new TrafficSplit(80, 20, false), splits);
        Assert.Equal(TrafficSplit.AllPrimary, splits[^1]);
    }

    /// <summary>Keeps the split in memory and records every SetRoutes.</summary>
    private sealed class RecordingRouter : ITrafficRouter
    {
        private TrafficSplit? _split;

        public ConcurrentQueue<TrafficSplit> Calls { get; } = new();

        public Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
        {
            _split ??= TrafficSplit.AllPrimary;
            return Task.CompletedTask;
        }

        public Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
        {
            _split = _split is null ? throw new RoutingException("not reconciled") : split;
            Calls.Enqueue(split);
            return Task.CompletedTask;
        }

        public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken) =>
            Task.FromResult(_split ?? throw new RoutingException("not reconciled"));

        public Task FinalizeAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
