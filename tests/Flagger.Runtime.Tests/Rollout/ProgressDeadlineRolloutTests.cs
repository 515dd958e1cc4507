using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>A canary that never becomes ready fails the release once its progress deadline passes.</summary>
[Collection(RolloutCollection.Name)]
public sealed class ProgressDeadlineRolloutTests
{
    [Fact]
    public async Task A_canary_that_never_gets_ready_is_rolled_back_after_its_progress_deadline()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("stuck", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "stuck", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "stuck" },
                ProgressDeadlineSeconds = 3,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10 },
            },
        });
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("stuck", CanaryPhase.Initialized);

        var patch = System.Text.Json.JsonSerializer.Serialize(new
        {
            spec = new
            {
                progressDeadlineSeconds = 3,
                template = new
                {
                    metadata = new { annotations = new Dictionary<string, string> { ["simulator.flagger.app/fail-ready"] = "true" } },
                    spec = new { containers = new[] { new { name = "stuck", image = "ghcr.io/stefanprodan/podinfo:6.0.1" } } },
                },
            },
        });
        await fixture.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "stuck", "test", cancellationToken: ct);

        var samples = await fixture.SampleUntilPhaseAsync("stuck", CanaryPhase.Failed, () => fixture.GetVirtualServiceAsync("stuck"), timeoutSeconds: 60);
        Assert.All(samples, s => Assert.Equal(0, s.Sample!.Spec!.Http![0].Route!.Single(r => r.Destination.Host == "stuck-canary").Weight ?? 0));
        var events = await fixture.EventMessagesAsync();
        // The deadline is seen either from the Deployment's ProgressDeadlineExceeded condition or, when the operator
        // looks first, from the canary's own lastTransitionTime + progressDeadlineSeconds: both roll back the same way.
        Assert.True(events.Any(e => e.StartsWith("Rolling back stuck.test progress deadline exceeded", StringComparison.Ordinal)), string.Join(" | ", events));
        Assert.Contains("Canary failed! Scaling down stuck.test", events);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("stuck-primary", "test", cancellationToken: ct);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.0", primary.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(0, (await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("stuck", "test", cancellationToken: ct)).Spec.Replicas);
        var failed = (await fixture.GetCanaryAsync("stuck"))!;
        Assert.Contains(failed.Status!.Conditions!, c => c.Type == "Promoted" && c.Status == "False");
    }
}
