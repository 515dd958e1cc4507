using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>skipAnalysis: a new revision is promoted straight away, without traffic shifting or analysis.</summary>
[Collection(RolloutCollection.Name)]
public sealed class SkipAnalysisRolloutTests
{
    [Fact]
    public async Task A_new_revision_is_promoted_without_shifting_traffic()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("skip", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "skip", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "skip" },
                ProgressDeadlineSeconds = 60,
                SkipAnalysis = true,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 50, StepWeight = 10 },
            },
        });
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("skip", CanaryPhase.Initialized);

        await fixture.SetImageAsync("skip", "ghcr.io/stefanprodan/podinfo:6.0.1");
        var samples = await fixture.SampleUntilPhaseAsync("skip", CanaryPhase.Succeeded, () => fixture.GetVirtualServiceAsync("skip"));

        Assert.All(samples, s => Assert.Equal(0, s.Sample!.Spec!.Http![0].Route!.Single(r => r.Destination.Host == "skip-canary").Weight ?? 0));
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("skip-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Promotion completed! Canary analysis was skipped for skip.test", events);
        Assert.DoesNotContain(events, e => e.StartsWith("Advance skip.test canary weight", StringComparison.Ordinal));
        var target = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("skip", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, target.Spec.Replicas);
    }
}
