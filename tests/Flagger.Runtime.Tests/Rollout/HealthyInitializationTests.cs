using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>A healthy first initialization tells the user only good news: no Warning event.</summary>
[Collection(RolloutCollection.Name)]
public sealed class HealthyInitializationTests
{
    [Theory]
    [InlineData("kubernetes")]
    [InlineData("istio")]
    public async Task A_healthy_first_initialization_records_no_warning_event(string provider)
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                Provider = provider,
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, Iterations = 2 },
            },
        });
        await fixture.StartOperatorAsync($"-mesh-provider={provider}");

        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        var events = (await fixture.Client.CoreV1.ListNamespacedEventAsync("test", cancellationToken: TestContext.Current.CancellationToken)).Items;
        Assert.Contains(events, e => e.Message == "Initialization done! podinfo.test");
        Assert.Empty(events.Where(e => e.Type == "Warning").Select(e => e.Message));
    }
}
