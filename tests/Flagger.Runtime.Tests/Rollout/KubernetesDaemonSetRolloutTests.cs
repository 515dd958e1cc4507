using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>A DaemonSet target with the kubernetes provider (blue/green).</summary>
[Collection(RolloutCollection.Name)]
public sealed class KubernetesDaemonSetRolloutTests
{
    private static V1DaemonSet DaemonSet(string name, string image) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "DaemonSet",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test", Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = name, Image = image, Ports = [new V1ContainerPort { Name = "http", ContainerPort = 9898 }] }] },
            },
        },
    };

    [Fact]
    public async Task A_new_daemonset_image_is_promoted_to_the_primary_daemonset()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("agent", "ghcr.io/stefanprodan/podinfo:6.0.0"), "test", cancellationToken: ct);
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "agent", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                Provider = "kubernetes",
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = "agent" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, Iterations = 2 },
            },
        });
        await fixture.StartOperatorAsync("-mesh-provider=kubernetes");
        await fixture.WaitForPhaseAsync("agent", CanaryPhase.Initialized);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDaemonSetAsync("agent-primary", "test", cancellationToken: ct);
        Assert.Equal("agent-primary", primary.Spec.Selector.MatchLabels["app"]);
        Assert.Equal("agent-primary", (await fixture.Client.CoreV1.ReadNamespacedServiceAsync("agent", "test", cancellationToken: ct)).Spec.Selector["app"]);

        var patch = System.Text.Json.JsonSerializer.Serialize(new { spec = new { template = new { spec = new { containers = new[] { new { name = "agent", image = "ghcr.io/stefanprodan/podinfo:6.0.1" } } } } } });
        await fixture.Client.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "agent", "test", cancellationToken: ct);

        await fixture.WaitForPhaseAsync("agent", CanaryPhase.Succeeded);
        primary = await fixture.Client.AppsV1.ReadNamespacedDaemonSetAsync("agent-primary", "test", cancellationToken: ct);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("New revision detected! Scaling up agent.test", events);
        Assert.Contains("Advance agent.test canary iteration 2/2", events);
        Assert.Contains("Promotion completed! Scaling down agent.test", events);
    }
}
