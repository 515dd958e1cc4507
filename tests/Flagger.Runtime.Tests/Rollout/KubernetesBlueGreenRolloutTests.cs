using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>The operator, in-process, drives a blue/green release (kubernetes provider) on the simulated cluster.</summary>
[Collection(RolloutCollection.Name)]
public sealed class KubernetesBlueGreenRolloutTests
{
    private static Canary BlueGreen(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
        Spec = new CanarySpec
        {
            Provider = "kubernetes",
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
            ProgressDeadlineSeconds = 60,
            Service = new CanaryService { Port = 9898 },
            Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, Iterations = 2 },
        },
    };

    [Fact]
    public async Task A_new_image_is_promoted_to_the_primary_and_the_target_scaled_to_zero()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(BlueGreen("podinfo"));
        await fixture.StartOperatorAsync("-mesh-provider=kubernetes");

        var initialized = await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        Assert.False(string.IsNullOrEmpty(initialized.Status?.LastAppliedSpec));
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.0", primary.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("podinfo-primary", primary.Spec.Selector.MatchLabels["app"]);
        var apex = await fixture.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var target = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, target.Spec.Replicas);

        await fixture.SetImageAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");

        var succeeded = await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
        target = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, target.Spec.Replicas);
        Assert.Contains(succeeded.Status!.Conditions!, c => c.Type == "Promoted" && c.Status == "True");

        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Initialization done! podinfo.test", events);
        Assert.Contains("New revision detected! Scaling up podinfo.test", events);
        Assert.Contains("Advance podinfo.test canary iteration 1/2", events);
        Assert.Contains("Copying podinfo.test template spec to podinfo-primary.test", events);
        Assert.Contains("Promotion completed! Scaling down podinfo.test", events);
    }
}
