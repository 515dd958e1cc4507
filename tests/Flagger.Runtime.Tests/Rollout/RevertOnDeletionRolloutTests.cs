using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>revertOnDeletion: deleting the canary hands the app back as it was before Flagger took it over.</summary>
[Collection(RolloutCollection.Name)]
public sealed class RevertOnDeletionRolloutTests
{
    [Fact]
    public async Task Deleting_the_canary_scales_the_target_back_up_restores_the_users_routing_and_removes_the_canary()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("revert", "ghcr.io/stefanprodan/podinfo:6.0.0", replicas: 2);
        await fixture.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "revert", NamespaceProperty = "test" },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "revert" },
                Ports = [new V1ServicePort { Name = "http", Port = 9898, TargetPort = 9898 }],
            },
        }, "test", cancellationToken: ct);
        var userRoutes = new VirtualService
        {
            ApiVersion = "networking.istio.io/v1beta1",
            Kind = "VirtualService",
            Metadata = new V1ObjectMeta { Name = "revert", NamespaceProperty = "test" },
            Spec = new VirtualServiceSpec
            {
                Hosts = ["revert"],
                Http = [new IstioHttpRoute { Route = [new IstioRouteDestination { Destination = new IstioDestination { Host = "revert" } }] }],
            },
        };
        var virtualServices = new GenericClient(fixture.Client, "networking.istio.io", "v1beta1", "virtualservices", disposeClient: false);
        await virtualServices.CreateNamespacedAsync(userRoutes, "test", ct);
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "revert", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "revert" },
                ProgressDeadlineSeconds = 60,
                RevertOnDeletion = true,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10 },
            },
        });
        await fixture.StartOperatorAsync();

        var initialized = await fixture.WaitForPhaseAsync("revert", CanaryPhase.Initialized);
        Assert.Contains("finalizer.flagger.app", initialized.Metadata.Finalizers ?? []);
        Assert.Equal(0, (await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("revert", "test", cancellationToken: ct)).Spec.Replicas);
        Assert.Equal("revert-primary", (await fixture.Client.CoreV1.ReadNamespacedServiceAsync("revert", "test", cancellationToken: ct)).Spec.Selector["app"]);
        Assert.Contains((await fixture.GetVirtualServiceAsync("revert"))!.Spec!.Http![0].Route!, r => r.Destination.Host == "revert-primary");

        var canaries = new GenericClient(fixture.Client, FlaggerApi.Group, FlaggerApi.Version, Canary.KubePlural, disposeClient: false);
        await canaries.DeleteNamespacedAsync<Canary>("test", "revert", ct);
        await RuntimeFixture.EventuallyAsync(async () => await fixture.GetCanaryAsync("revert") is null, "the canary is gone");

        var target = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("revert", "test", cancellationToken: ct);
        Assert.Equal(2, target.Spec.Replicas);
        var apex = await fixture.Client.CoreV1.ReadNamespacedServiceAsync("revert", "test", cancellationToken: ct);
        Assert.Equal("revert", apex.Spec.Selector["app"]);
        var restored = (await fixture.GetVirtualServiceAsync("revert"))!;
        var destination = Assert.Single(Assert.Single(restored.Spec!.Http!).Route!);
        Assert.Equal("revert", destination.Destination.Host);
        Assert.Null(destination.Weight);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Terminating canary revert.test", events);
        Assert.Contains("Terminated canary revert.test", events);
    }
}
