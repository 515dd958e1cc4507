using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>An invalid canary is reported (condition + Warning event naming the field) and does not hold up the others.</summary>
[Collection(RolloutCollection.Name)]
public sealed class InvalidCanaryRolloutTests
{
    private static Canary Istio(string name, Action<CanaryAnalysis>? tweak = null)
    {
        var analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10 };
        tweak?.Invoke(analysis);
        return new Canary
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = analysis,
            },
        };
    }

    [Fact]
    public async Task Non_increasing_step_weights_get_a_validated_false_condition_and_a_warning_while_another_canary_promotes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("broken", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateDeploymentAsync("healthy", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Istio("broken", a => { a.StepWeight = null; a.StepWeights = [10, 30, 20]; }));
        await fixture.CreateCanaryAsync(Istio("healthy"));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("healthy", CanaryPhase.Initialized);
        await fixture.SetImageAsync("healthy", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await fixture.WaitForPhaseAsync("healthy", CanaryPhase.Succeeded);

        var broken = (await fixture.GetCanaryAsync("broken"))!;
        var validated = Assert.Single(broken.Status!.Conditions!, c => c.Type == "Validated");
        Assert.Equal("False", validated.Status);
        Assert.Contains("spec.analysis.stepWeights", validated.Message, StringComparison.Ordinal);
        Assert.NotEqual("Initialized", broken.Status.Phase);
        var events = await fixture.Client.CoreV1.ListNamespacedEventAsync("test", cancellationToken: ct);
        var warning = Assert.Single(events.Items, e => e.InvolvedObject.Name == "broken" && e.Type == "Warning");
        Assert.Contains("spec.analysis.stepWeights", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await fixture.Client.AppsV1.ListNamespacedDeploymentAsync("test", cancellationToken: ct) is { } list ? list.Items : [], d => d.Metadata.Name == "broken-primary");

        await fixture.PatchCanaryAsync("broken", new { spec = new { analysis = new { stepWeights = new[] { 10, 20, 30 } } } });
        var fixedCanary = await fixture.WaitForPhaseAsync("broken", CanaryPhase.Initialized);
        Assert.DoesNotContain(fixedCanary.Status!.Conditions ?? [], c => c.Type == "Validated");
    }
}
