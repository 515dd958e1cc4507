using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 11 (upstream test/istio/test-session-affinity.sh): the canary cookie is handed out while the canary has weight, expired after promotion.</summary>
public sealed class S11_SessionAffinityTests(E2EEnvironment environment)
{
    [Fact]
    public async Task The_canary_cookie_is_set_while_the_canary_has_weight_and_expired_after_promotion()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-affinity");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                maxWeight: 20
                stepWeight: 10
                sessionAffinity:
                  cookieName: canary-flagger-cookie
                  primaryCookieName: primary-flagger-cookie
                  maxAge: 21600
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: promotion-gate
                    type: confirm-promotion
                    url: {backend.LoadTesterUrl}gate/check
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        var waiting = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.WaitingPromotion);
        // upstream (pkg/canary/status.go) zeroes status.canaryWeight in WaitingPromotion; the routes keep the weight.
        var cookie = waiting.Status!.SessionAffinityCookie;
        Assert.StartsWith("canary-flagger-cookie=", cookie, StringComparison.Ordinal);
        var http = (await ns.VirtualServiceAsync("podinfo"))!["spec"]!["http"]!.AsArray();
        // Requests carrying the cookie stick to the canary; the weighted route hands the cookie out with its max age.
        var sticky = Assert.Single(http, h => h!["match"]?.ToJsonString().Contains($".*canary-flagger-cookie.*{cookie!.Split('=')[1]}.*", StringComparison.Ordinal) == true);
        Assert.Equal(["podinfo-canary:100"], sticky!["route"]!.AsArray().Where(r => (r!["weight"]?.GetValue<int>() ?? 0) > 0).Select(r => $"{r!["destination"]!["host"]}:{r["weight"]}"));
        var weighted = http.Last()!["route"]!.AsArray();
        var canaryRoute = Assert.Single(weighted, r => r!["destination"]!["host"]!.GetValue<string>() == "podinfo-canary");
        Assert.Equal(20, canaryRoute!["weight"]!.GetValue<int>());
        Assert.Equal($"{cookie}; Max-Age=21600", canaryRoute["headers"]!["response"]!["add"]!["Set-Cookie"]!.GetValue<string>());
        // Users sent to the primary get the primary cookie, and requests carrying it stay on the primary.
        var primaryCookie = waiting.Status.PrimarySessionAffinityCookie;
        Assert.StartsWith("primary-flagger-cookie=", primaryCookie, StringComparison.Ordinal);
        var primaryRoute = Assert.Single(weighted, r => r!["destination"]!["host"]!.GetValue<string>() == "podinfo-primary");
        Assert.StartsWith($"{primaryCookie}; Max-Age=", primaryRoute!["headers"]!["response"]!["add"]!["Set-Cookie"]!.GetValue<string>(), StringComparison.Ordinal);
        var stickyPrimary = Assert.Single(http, h => h!["match"]?.ToJsonString().Contains(primaryCookie!.Split('=')[1], StringComparison.Ordinal) == true);
        Assert.Equal(["podinfo-primary:100"], stickyPrimary!["route"]!.AsArray().Where(r => (r!["weight"]?.GetValue<int>() ?? 0) > 0).Select(r => $"{r!["destination"]!["host"]}:{r["weight"]}"));

        await backend.PostLoadTesterAsync("gate/open", $$"""{"name":"podinfo","namespace":"{{ns.Name}}"}""", TestContext.Current.CancellationToken);

        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(cookie, succeeded.Status!.PreviousSessionAffinityCookie);
        Assert.True(string.IsNullOrEmpty(succeeded.Status.SessionAffinityCookie), $"cookie after promotion: {succeeded.Status.SessionAffinityCookie}");
        var after = (await ns.VirtualServiceAsync("podinfo"))!.ToJsonString();
        // A request still carrying the old cookie is answered with the same cookie expired.
        Assert.Contains($"{cookie}; Max-Age=-1", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Max-Age=21600", after, StringComparison.Ordinal);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        ns.Report("11 session affinity");
    }
}
