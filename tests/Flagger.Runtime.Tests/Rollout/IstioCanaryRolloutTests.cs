using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>The operator, in-process, drives progressive Istio canaries on the simulated cluster.</summary>
[Collection(RolloutCollection.Name)]
public sealed class IstioCanaryRolloutTests
{
    private static Canary Progressive(string name, string hookUrl) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
        Spec = new CanarySpec
        {
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
            ProgressDeadlineSeconds = 60,
            Service = new CanaryService { Port = 9898 },
            Analysis = new CanaryAnalysis
            {
                Interval = "1s",
                Threshold = 2,
                MaxWeight = 30,
                StepWeight = 10,
                Webhooks = [new CanaryWebhook { Name = "acceptance", Type = "rollout", Url = hookUrl, Timeout = "5s" }],
            },
        },
    };

    private static async Task<VirtualService> VirtualServiceAsync(RuntimeFixture fixture, string name)
    {
        var client = new GenericClient(fixture.Client, "networking.istio.io", "v1beta1", "virtualservices", disposeClient: false);
        return await client.ReadNamespacedAsync<VirtualService>("test", name, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Traffic_shifts_in_steps_to_max_weight_then_the_new_version_is_promoted()
    {
        using var hook = new HookServer();
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Progressive("podinfo", hook.Url));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await fixture.SetImageAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");

        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Starting canary analysis for podinfo.test", events);
        Assert.Contains("Advance podinfo.test canary weight 10", events);
        Assert.Contains("Advance podinfo.test canary weight 20", events);
        Assert.Contains("Advance podinfo.test canary weight 30", events);
        Assert.Contains("Routing all traffic to primary", events);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
        var routes = (await VirtualServiceAsync(fixture, "podinfo")).Spec!.Http![0].Route!;
        Assert.Equal([100, 0], routes.Select(r => r.Weight ?? 0));
        Assert.Contains(hook.Bodies, b => b.Contains("\"phase\":\"Progressing\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_rollout_hook_rolls_back_when_failed_checks_reach_the_threshold()
    {
        using var hook = new HookServer { StatusCode = 500 };
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Progressive("podinfo", hook.Url));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await fixture.SetImageAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");

        var failed = await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(0, failed.Status!.CanaryWeight);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Rolling back podinfo.test failed checks threshold reached 2", events);
        Assert.Contains("Canary failed! Scaling down podinfo.test", events);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.0", primary.Spec.Template.Spec.Containers[0].Image);
        var routes = (await VirtualServiceAsync(fixture, "podinfo")).Spec!.Http![0].Route!;
        Assert.Equal([100, 0], routes.Select(r => r.Weight ?? 0));
        var target = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, target.Spec.Replicas);
    }

    [Fact]
    public async Task An_operator_restarted_mid_analysis_finishes_the_release()
    {
        using var hook = new HookServer();
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Progressive("podinfo", hook.Url));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        await fixture.SetImageAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Progressing);

        await fixture.StopOperatorAsync();
        var midway = await fixture.GetCanaryAsync("podinfo");
        await fixture.StartOperatorAsync();

        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(CanaryPhase.Progressing.ToString(), midway!.Status!.Phase);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
    }
}
