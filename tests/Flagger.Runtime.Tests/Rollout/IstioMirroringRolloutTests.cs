using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>Traffic mirroring (istio): the canary gets a copy of the traffic for one interval before any weight shifts.</summary>
[Collection(RolloutCollection.Name)]
public sealed class IstioMirroringRolloutTests
{
    private static Canary Mirrored(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
        Spec = new CanarySpec
        {
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
            ProgressDeadlineSeconds = 60,
            Service = new CanaryService { Port = 9898 },
            Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10, Mirror = true, MirrorWeight = 50 },
        },
    };

    [Fact]
    public async Task Traffic_is_mirrored_for_one_interval_before_weights_shift_then_promoted()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("mirror", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Mirrored("mirror"));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("mirror", CanaryPhase.Initialized);

        await fixture.SetImageAsync("mirror", "ghcr.io/stefanprodan/podinfo:6.0.1");
        var samples = await fixture.SampleUntilPhaseAsync("mirror", CanaryPhase.Succeeded, () => fixture.GetVirtualServiceAsync("mirror"));

        var routes = samples.Select(s => s.Sample!.Spec!.Http![0]).ToList();
        var firstMirrored = routes.FindIndex(r => r.Mirror is not null);
        var firstShifted = routes.FindIndex(r => (r.Route!.Single(d => d.Destination.Host == "mirror-canary").Weight ?? 0) > 0);
        Assert.True(firstMirrored >= 0, "the VirtualService was never seen mirroring");
        Assert.True(firstShifted > firstMirrored, $"weight shifted (sample {firstShifted}) before mirroring (sample {firstMirrored})");
        var mirrored = routes[firstMirrored];
        Assert.Equal("mirror-canary", mirrored.Mirror!.Host);
        Assert.Equal(50, mirrored.MirrorPercentage!.Value);
        Assert.Equal(0, mirrored.Route!.Single(d => d.Destination.Host == "mirror-canary").Weight ?? 0);
        Assert.Equal(100, mirrored.Route!.Single(d => d.Destination.Host == "mirror-primary").Weight);
        Assert.Null(routes[^1].Mirror);
        Assert.Equal(0, routes[^1].Route!.Single(d => d.Destination.Host == "mirror-canary").Weight ?? 0);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Advance mirror.test canary weight 10", events);
    }
}
