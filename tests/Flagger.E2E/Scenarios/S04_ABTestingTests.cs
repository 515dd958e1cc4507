using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 4 (upstream test/istio/test-canary.sh, A/B part): a cookie-regex match and a confirm-promotion gate.</summary>
public sealed class S04_ABTestingTests(E2EEnvironment environment)
{
    [Fact]
    public async Task AB_testing_routes_matching_cookies_to_the_canary_and_waits_for_the_promotion_gate()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-ab");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                iterations: 3
            {Specs.SuccessRate}
                match:
                  - headers:
                      cookie:
                        regex: "^(.*?;)?(type=insider)(;.*)?$"
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: promotion-gate
                    type: confirm-promotion
                    url: {backend.LoadTesterUrl}gate/check
            """).Replace(Specs.Traffic, Specs.Traffic + "\n        simulator.flagger.app/headers: \"cookie=type=insider:0.3\"", StringComparison.Ordinal));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image3);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.WaitingPromotion);
        var vs = (await ns.VirtualServiceAsync("podinfo"))!;
        var http = vs["spec"]!["http"]!.AsArray();
        Assert.Equal(2, http.Count);
        Assert.Equal("^(.*?;)?(type=insider)(;.*)?$", http[0]!["match"]![0]!["headers"]!["cookie"]!["regex"]!.GetValue<string>());
        Assert.Equal(["podinfo-primary:0", "podinfo-canary:100"], http[0]!["route"]!.AsArray().Select(r => $"{r!["destination"]!["host"]}:{r["weight"]}"));
        // upstream (pkg/router/istio.go): the default route has the primary as its only destination, which Istio sends
        // all unmatched traffic to whatever its weight.
        Assert.Equal("podinfo-primary", Assert.Single(http[1]!["route"]!.AsArray())!["destination"]!["host"]!.GetValue<string>());
        Assert.Null(http[1]!["match"]);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        // Users without the cookie are still served by the primary while the canary is tested.
        var primaryRequests = $"sum(istio_requests_total{{destination_workload_namespace=\"{ns.Name}\",destination_workload=\"podinfo-primary\"}})";
        var before = await ns.QueryAsync(primaryRequests) ?? 0;
        await ns.WaitUntilAsync(async () => await ns.QueryAsync(primaryRequests) > before + 10, "requests without the cookie reaching the primary");
        Assert.Equal(CanaryPhase.WaitingPromotion.ToString(), (await ns.CanaryAsync("podinfo"))!.Status!.Phase);

        await backend.PostLoadTesterAsync("gate/open", $$"""{"name":"podinfo","namespace":"{{ns.Name}}"}""", TestContext.Current.CancellationToken);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image3, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", events);
        Assert.Contains($"Confirm-promotion check promotion-gate passed", events);
        Assert.Contains(backend.Alerts.Bodies, b => b.Contains($"podinfo.{ns.Name}", StringComparison.Ordinal) && b.Contains("Canary promotion is waiting for approval.", StringComparison.Ordinal));
        ns.Report("4 A/B");
    }
}
