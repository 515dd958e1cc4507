using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>suspend: a suspended canary takes no step; once resumed, the release carries on to promotion.</summary>
[Collection(RolloutCollection.Name)]
public sealed class SuspendRolloutTests
{
    [Fact]
    public async Task A_suspended_canary_does_not_step_and_resumes_where_it_stopped()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("paused", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "paused", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "paused" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 40, StepWeight = 10 },
            },
        });
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("paused", CanaryPhase.Initialized);
        await fixture.SetImageAsync("paused", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await RuntimeFixture.EventuallyAsync(async () => (await fixture.GetCanaryAsync("paused"))?.Status?.CanaryWeight >= 10, "canary weight 10");

        await fixture.PatchCanaryAsync("paused", new { spec = new { suspend = true } });
        await RuntimeFixture.EventuallyAsync(async () => (await fixture.EventMessagesAsync()).Contains("skipping canary run as object is suspended"), "the suspended event");
        var suspended = (await fixture.GetCanaryAsync("paused"))!.Status!;
        // Several intervals pass while suspended: nothing moves.
        await Task.Delay(3500, TestContext.Current.CancellationToken);
        var later = (await fixture.GetCanaryAsync("paused"))!.Status!;
        Assert.Equal("Progressing", later.Phase);
        Assert.Equal(suspended.CanaryWeight, later.CanaryWeight);
        Assert.Equal(suspended.LastTransitionTime, later.LastTransitionTime);
        var vs = await fixture.GetVirtualServiceAsync("paused");
        Assert.Equal(later.CanaryWeight, vs!.Spec!.Http![0].Route!.Single(r => r.Destination.Host == "paused-canary").Weight);

        await fixture.PatchCanaryAsync("paused", new { spec = new { suspend = false } });
        await fixture.WaitForPhaseAsync("paused", CanaryPhase.Succeeded);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Advance paused.test canary weight 40", events);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("paused-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
    }
}
