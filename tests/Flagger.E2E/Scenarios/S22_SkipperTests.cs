using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;
using k8s;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 22 (upstream test/skipper/test-canary.sh): a Skipper canary with a named Service and Ingress
/// (<c>podinfo-service</c>, <c>podinfo-ingress</c>), gated by the builtin Skipper metrics read by the real Prometheus.
/// </summary>
public sealed class S22_SkipperTests(E2EEnvironment environment)
{
    private const string Weights = "zalando.org/backend-weights";
    private const string Predicate = "zalando.org/skipper-predicate";

    [Fact]
    public async Task Backend_weights_move_traffic_through_the_canary_ingress_and_the_new_image_is_promoted()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("skipper", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-skipper");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(S20_NginxTests.UserIngress(ns.Name, "podinfo-ingress", "skipper", "podinfo-service"));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                maxWeight: 30
                stepWeight: 10
                metrics:
                  - name: request-success-rate
                    interval: 15s
                    thresholdRange:
                      min: 99
                  - name: request-duration
                    interval: 15s
                    thresholdRange:
                      max: 500
                webhooks:
                  - name: acceptance-test
                    type: pre-rollout
                    url: {backend.LoadTesterUrl}
                    timeout: 10s
                    metadata:
                      type: bash
                      cmd: "true"
            {S20_NginxTests.IngressLoad(backend, ns.Name, "http://skipper-ingress.kube-system")}
            """, service: """
                name: podinfo-service
            """, extraSpec: """
              provider: skipper
              ingressRef:
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                name: podinfo-ingress
            """));

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var initial = await S20_NginxTests.IngressAsync(ns, "podinfo-ingress-canary");
        Assert.Equal(["podinfo-service-primary", "podinfo-service-canary"], initial.Spec.Rules[0].Http.Paths.Select(p => p.Backend.Service.Name));
        Assert.Equal("""{"podinfo-service-canary":0,"podinfo-service-primary":100}""", initial.Metadata.Annotations[Weights]);
        // upstream: created with Weight(100), so the canary Ingress's route to the primary serves until the first step.
        Assert.Equal("Weight(100)", initial.Metadata.Annotations[Predicate]);
        Assert.Contains(initial.Metadata.OwnerReferences, o => o.Kind == "Canary" && o.Name == "podinfo");

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 20, "canary weight 20");
        var shifting = (await S20_NginxTests.IngressAsync(ns, "podinfo-ingress-canary")).Metadata.Annotations;
        Assert.StartsWith("Weight(100)", shifting[Predicate], StringComparison.Ordinal);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 10", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 30", events);
        Assert.Contains("Pre-rollout check acceptance-test passed", events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        // The analysis judged the canary's Skipper route (kube_<ns>__podinfo_ingress_canary__…__podinfo_service_canary).
        var route = $"kube(ew)?_{ns.Name.Replace('-', '_')}__podinfo_ingress_canary__.*__podinfo_service_canary(_[0-9]+)?";
        Assert.True(await ns.QueryAsync($"sum(skipper_serve_route_duration_seconds_count{{route=~\"{route}\"}})") > 0);
        var final = (await S20_NginxTests.IngressAsync(ns, "podinfo-ingress-canary")).Metadata.Annotations;
        Assert.Equal("""{"podinfo-service-canary":0,"podinfo-service-primary":100}""", final[Weights]);
        // After the promotion the canary Ingress's routes are disabled: requests flow through the user's Ingress again.
        Assert.Equal("False()", final[Predicate]);
        var user = await S20_NginxTests.IngressAsync(ns, "podinfo-ingress");
        Assert.Equal("podinfo-service", user.Spec.Rules[0].Http.Paths.Single().Backend.Service.Name);
        ns.Report("22 skipper canary");
    }
}
