using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>Session affinity (istio): users who hit the canary stick to it through a cookie; the cookie expires after promotion.</summary>
[Collection(RolloutCollection.Name)]
public sealed class IstioSessionAffinityRolloutTests
{
    private static Canary Sticky(string name) => new()
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
                MaxWeight = 20,
                StepWeight = 10,
                SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie", MaxAge = 120 },
            },
        },
    };

    [Fact]
    public async Task Cookie_rules_route_sticky_users_to_the_canary_while_it_has_weight_and_the_cookie_expires_after_promotion()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("sticky", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Sticky("sticky"));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("sticky", CanaryPhase.Initialized);

        await fixture.SetImageAsync("sticky", "ghcr.io/stefanprodan/podinfo:6.0.1");
        var samples = await fixture.SampleUntilPhaseAsync("sticky", CanaryPhase.Succeeded, () => fixture.GetVirtualServiceAsync("sticky"));

        var weighted = samples.Where(s => s.Status?.Phase == "Progressing" && s.Status.CanaryWeight > 0).ToList();
        Assert.NotEmpty(weighted);
        foreach (var (status, vs) in weighted)
        {
            var cookie = status!.SessionAffinityCookie;
            Assert.StartsWith("flagger-cookie=", cookie, StringComparison.Ordinal);
            var value = cookie!.Split('=', 2)[1];
            var sticky = Assert.Single(vs!.Spec!.Http!, h => h.Match?.Any(m => m.Headers?.GetValueOrDefault("Cookie")?.Regex?.Contains(value, StringComparison.Ordinal) == true) == true);
            Assert.Equal(100, sticky.Route!.Single(r => r.Destination.Host == "sticky-canary").Weight);
            var byWeight = vs.Spec.Http!.Single(h => h.Match is null or { Count: 0 });
            var canaryDestination = byWeight.Route!.Single(r => r.Destination.Host == "sticky-canary");
            Assert.StartsWith($"{cookie}; Max-Age=120", canaryDestination.Headers!.Response!.Add!["Set-Cookie"], StringComparison.Ordinal);
        }

        var lastCookie = weighted[^1].Status!.SessionAffinityCookie!;
        var done = await fixture.GetCanaryAsync("sticky");
        Assert.Equal(lastCookie, done!.Status!.PreviousSessionAffinityCookie);
        Assert.True(string.IsNullOrEmpty(done.Status.SessionAffinityCookie));
        var final = (await fixture.GetVirtualServiceAsync("sticky"))!;
        var expiring = Assert.Single(final.Spec!.Http!, h => h.Headers?.Response?.Add?.GetValueOrDefault("Set-Cookie") is { } c && c.Contains("Max-Age=-1", StringComparison.Ordinal));
        Assert.Equal($"{lastCookie}; Max-Age=-1", expiring.Headers!.Response!.Add!["Set-Cookie"]);
        Assert.All(final.Spec.Http!, h => Assert.Equal(0, h.Route!.SingleOrDefault(r => r.Destination.Host == "sticky-canary")?.Weight ?? 0));
    }
}
