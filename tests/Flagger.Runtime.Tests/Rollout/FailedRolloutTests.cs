using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>Every strategy rolls back the same way: failing checks reach the threshold, the primary keeps serving.</summary>
[Collection(RolloutCollection.Name)]
public sealed class FailedRolloutTests
{
    public static TheoryData<string> Strategies => ["ab-testing", "blue-green-istio", "blue-green-kubernetes", "mirroring", "session-affinity"];

    private static Canary Spec(string strategy, string hookUrl)
    {
        var analysis = new CanaryAnalysis
        {
            Interval = "1s",
            Threshold = 2,
            Webhooks = [new CanaryWebhook { Name = "acceptance", Type = "rollout", Url = hookUrl, Timeout = "5s" }],
        };
        string? provider = null;
        switch (strategy)
        {
            case "ab-testing":
                analysis.Iterations = 5;
                analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } }];
                break;
            case "blue-green-istio":
                analysis.Iterations = 5;
                break;
            case "blue-green-kubernetes":
                analysis.Iterations = 5;
                provider = "kubernetes";
                break;
            case "mirroring":
                (analysis.MaxWeight, analysis.StepWeight, analysis.Mirror, analysis.MirrorWeight) = (30, 10, true, 50);
                break;
            case "session-affinity":
                (analysis.MaxWeight, analysis.StepWeight) = (30, 10);
                analysis.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie", MaxAge = 60 };
                break;
        }

        return new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                Provider = provider,
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = analysis,
            },
        };
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task A_release_whose_checks_keep_failing_is_rolled_back_and_the_primary_keeps_the_old_version(string strategy)
    {
        using var hook = new HookServer { StatusCode = 500 };
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Spec(strategy, hook.Url));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await fixture.SetImageAsync("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");

        var failed = await fixture.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(0, failed.Status!.CanaryWeight ?? 0);
        Assert.Contains(failed.Status.Conditions!, c => c.Type == "Promoted" && c.Status == "False");
        var events = await fixture.EventMessagesAsync();
        Assert.Contains("Rolling back podinfo.test failed checks threshold reached 2", events);
        Assert.Contains("Canary failed! Scaling down podinfo.test", events);
        var primary = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.0", primary.Spec.Template.Spec.Containers[0].Image);
        var target = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo", "test", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, target.Spec.Replicas);
        if (strategy != "blue-green-kubernetes")
        {
            var route = (await fixture.GetVirtualServiceAsync("podinfo"))!.Spec!.Http!.Last();
            Assert.Null(route.Mirror);
            Assert.Equal(100, route.Route!.Single(d => d.Destination.Host == "podinfo-primary").Weight);
        }
        else
        {
            var apex = await fixture.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", "test", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        }
    }
}
