using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>A/B testing (istio): during analysis the matched requests go to the canary, everything else to the primary.</summary>
[Collection(RolloutCollection.Name)]
public sealed class IstioABTestingRolloutTests
{
    private static Canary ABTest(string name) => new()
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
                Iterations = 3,
                Match =
                [
                    new HttpMatchRequest { Headers = new Dictionary<string, StringMatch> { ["x-canary"] = new StringMatch { Exact = "insider" } } },
                    new HttpMatchRequest { Headers = new Dictionary<string, StringMatch> { ["cookie"] = new StringMatch { Regex = "^(.*?;)?(canary=always)(;.*)?$" } } },
                ],
            },
        },
    };

    [Fact]
    public async Task Header_and_cookie_matched_requests_are_routed_to_the_canary_during_analysis_then_promoted()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("abtest", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(ABTest("abtest"));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("abtest", CanaryPhase.Initialized);

        await fixture.SetImageAsync("abtest", "ghcr.io/stefanprodan/podinfo:6.0.1");
        var samples = await fixture.SampleUntilPhaseAsync("abtest", CanaryPhase.Succeeded, () => fixture.GetVirtualServiceAsync("abtest"));

        var during = samples.Where(s => s.Status?.Phase == "Progressing" && s.Status.Iterations > 0).Select(s => s.Sample!).ToList();
        Assert.NotEmpty(during);
        foreach (var vs in during)
        {
            Assert.True(vs.Spec!.Http!.Count == 2, KubernetesJson.Serialize(vs.Spec));
            var matched = Assert.Single(vs.Spec!.Http!, h => h.Match is { Count: > 0 });
            Assert.Contains(matched.Match!, m => m.Headers?.GetValueOrDefault("x-canary")?.Exact == "insider");
            Assert.Contains(matched.Match!, m => m.Headers?.GetValueOrDefault("cookie")?.Regex == "^(.*?;)?(canary=always)(;.*)?$");
            Assert.Equal(100, matched.Route!.Single(r => r.Destination.Host == "abtest-canary").Weight);
            Assert.Equal(0, matched.Route!.Single(r => r.Destination.Host == "abtest-primary").Weight ?? 0);
            var rest = Assert.Single(vs.Spec.Http!, h => h.Match is null or { Count: 0 });
            // Unmatched requests have the primary as their only destination (upstream writes the primary weight there,
            // which Istio ignores for a single destination).
            Assert.Equal("abtest-primary", Assert.Single(rest.Route!).Destination.Host);
        }

        var final = (await fixture.GetVirtualServiceAsync("abtest"))!;
        Assert.All(final.Spec!.Http!, h => Assert.Equal(0, h.Route!.SingleOrDefault(r => r.Destination.Host == "abtest-canary")?.Weight ?? 0));
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Advance abtest.test canary iteration 1/3", events);
        Assert.Contains("Advance abtest.test canary iteration 3/3", events);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("abtest-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
    }
}
