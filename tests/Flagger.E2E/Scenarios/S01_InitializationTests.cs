using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 1 (upstream test/istio/test-canary.sh, first part): a new canary is initialized.</summary>
public sealed class S01_InitializationTests(E2EEnvironment environment)
{
    [Fact]
    public async Task A_new_canary_is_initialized_with_the_apex_service_selecting_the_primary_and_carrying_apex_metadata()
    {
        var ns = await TestNamespace.CreateAsync(environment.Backend, "e2e-init");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync($"""
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata:
              name: podinfo
              namespace: {ns.Name}
            spec:
              targetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: podinfo
              progressDeadlineSeconds: 60
              service:
                port: 9898
                portDiscovery: true
                apex:
                  annotations:
                    test: "annotations-test"
                  labels:
                    test: "labels-test"
                headers:
                  request:
                    add:
                      x-envoy-upstream-rq-timeout-ms: "15000"
              analysis:
                interval: 1s
                threshold: 15
                maxWeight: 30
                stepWeight: 10
            """);

        var canary = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        Assert.Equal("annotations-test", apex.Metadata.Annotations["test"]);
        Assert.Equal("labels-test", apex.Metadata.Labels["test"]);
        var canaryService = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo-canary", ns.Name);
        Assert.Equal("podinfo", canaryService.Spec.Selector["app"]);
        var primaryService = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo-primary", ns.Name);
        Assert.Equal("podinfo-primary", primaryService.Spec.Selector["app"]);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        await ns.WaitUntilAsync(async () => (await ns.DeploymentAsync("podinfo")).Spec.Replicas == 0, "the target scaled to zero");
        var vs = await ns.VirtualServiceAsync("podinfo");
        Assert.NotNull(vs);
        var routes = vs["spec"]!["http"]![0]!["route"]!.AsArray();
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], routes.Select(r => $"{r!["destination"]!["host"]}:{r["weight"]}"));
        Assert.Equal("15000", vs["spec"]!["http"]![0]!["headers"]!["request"]!["add"]!["x-envoy-upstream-rq-timeout-ms"]!.GetValue<string>());
        Assert.Contains(canary.Status!.Conditions!, c => c.Type == "Promoted" && c.Status == "True");
        Assert.Contains("Initialization done! podinfo." + ns.Name, await ns.EventMessagesAsync("podinfo"));
        ns.Report("1 initialization");
    }
}
