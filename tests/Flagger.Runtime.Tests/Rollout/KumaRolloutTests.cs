using Flagger.Modules.Routing.Kuma;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>
/// A release on the <c>kuma</c> provider through the production Kuma router, added as docs/adding-a-provider.md says
/// (its folder, its catalog row, one registration line): the unchanged operator drives the cluster-scoped TrafficRoute
/// step by step and promotes. Kuma is not the mesh provider (istio is): its TrafficRoute watch starts with this canary.
/// </summary>
[Collection(RolloutCollection.Name)]
public sealed class KumaRolloutTests
{
    [Fact]
    public async Task A_kuma_release_shifts_the_traffic_route_weights_step_by_step_and_promotes()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test", Annotations = new Dictionary<string, string> { ["kuma.io/mesh"] = "default" } },
            Spec = new CanarySpec
            {
                Provider = "kuma",
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10 },
            },
        });
        await fixture.StartOperatorAsync();
        var cache = fixture.Services.GetRequiredService<KubeCache>();
        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // The kuma canary started the Kuma watch; providers no canary uses are still not watched.
        var watched = cache.Informers.Select(i => i.Kind.ToString()).ToList();
        Assert.Contains("trafficroutes.kuma.io", watched);
        Assert.DoesNotContain("httpproxies.projectcontour.io", watched);
        Assert.DoesNotContain("ingresses.networking.k8s.io", watched);

        var routes = new GenericClient(fixture.Client, "kuma.io", "v1alpha1", "trafficroutes", disposeClient: false);
        var initial = await routes.ReadAsync<TrafficRoute>("podinfo", TestContext.Current.CancellationToken);
        Assert.Equal("default", initial.Mesh);
        Assert.Null(initial.Metadata.NamespaceProperty);
        Assert.Null(initial.Metadata.OwnerReferences);
        Assert.Equal("podinfo_test_svc_9898", initial.Spec.Destinations![0].Match!["kuma.io/service"]);

        await fixture.SetImageAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");

        var samples = await fixture.SampleUntilPhaseAsync("podinfo", CanaryPhase.Succeeded, async () =>
            (await routes.ReadAsync<TrafficRoute>("podinfo", TestContext.Current.CancellationToken)).Spec.Conf!.Split!.Select(s => s.Weight).ToList());
        var weights = samples.Select(s => string.Join('/', s.Sample)).Distinct().ToList();
        Assert.Contains("90/10", weights);
        Assert.Contains("80/20", weights);
        Assert.Equal([100, 0], samples[^1].Sample);
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Advance podinfo.test canary weight 10", events);
        Assert.Contains("Advance podinfo.test canary weight 20", events);
    }
}
