using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 24 (upstream test/linkerd/test-canary.sh and test-steps.sh, with <c>provider: linkerd</c>, i.e. an SMI
/// TrafficSplit instead of upstream's GAMMA HTTPRoute): Linkerd's <c>response_total</c> and <c>response_latency_ms</c>
/// MetricTemplates gate a stepped promotion, a version answering errors is rolled back, and <c>stepWeights</c> are
/// walked one by one. Current Linkerd, as upstream's script runs it (<c>-mesh-provider=gatewayapi:v1beta1</c>), routes
/// through a GAMMA HTTPRoute whose parent is the Service itself; the last scenario does that.
/// </summary>
public sealed class S24_LinkerdTests(E2EEnvironment environment)
{
    private static string Templates(string ns, string prometheus) => $$$"""
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata:
          name: success-rate
          namespace: {{{ns}}}
        spec:
          provider:
            type: prometheus
            address: {{{prometheus}}}
          query: |
            sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",classification!="failure",direction="{{ variables.direction }}"}[{{ interval }}]))
            /
            sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="{{ variables.direction }}"}[{{ interval }}]))
            * 100
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata:
          name: latency
          namespace: {{{ns}}}
        spec:
          provider:
            type: prometheus
            address: {{{prometheus}}}
          query: |
            histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="{{ variables.direction }}"}[{{ interval }}])) by (le))
        """;

    private static string Metrics(string ns, int latencyThreshold) => $"""
            metrics:
              - name: success-rate
                templateRef:
                  name: success-rate
                  namespace: {ns}
                thresholdRange:
                  min: 99
                interval: 30s
                templateVariables:
                  direction: inbound
              - name: latency
                templateRef:
                  name: latency
                  namespace: {ns}
                threshold: {latencyThreshold}
                interval: 30s
                templateVariables:
                  direction: inbound
        """;

    [Fact]
    public async Task A_linkerd_canary_shifts_its_traffic_split_to_max_weight_is_promoted_and_a_failing_version_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("linkerd", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-linkerd");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Templates(ns.Name, backend.PrometheusUrl));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 15
                maxWeight: 50
                stepWeight: 10
            {Metrics(ns.Name, 300)}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """, extraSpec: "  provider: linkerd"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // upstream: the apex Service selects the primary; the TrafficSplit sends everything to it
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var split = (await TrafficSplitAsync(ns))!;
        Assert.Equal("podinfo", (string?)split["spec"]!["service"]);
        Assert.Equal(["podinfo-canary=0", "podinfo-primary=100"], Backends(split));

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 50, "canary weight 50");
        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, succeeded.Status!.CanaryWeight);
        Assert.Equal(["podinfo-canary=0", "podinfo-primary=100"], Backends((await TrafficSplitAsync(ns))!));
        var events = await ns.EventMessagesAsync("podinfo");
        foreach (var weight in new[] { 10, 20, 30, 40, 50 })
        {
            Assert.Contains($"Advance podinfo.{ns.Name} canary weight {weight}", events);
        }

        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        // the canary's inbound Linkerd series really reached Prometheus
        Assert.True(await ns.QueryAsync($"sum(response_total{{namespace=\"{ns.Name}\",deployment=\"podinfo\",direction=\"inbound\"}})") > 0);

        // upstream rollback: threshold 3, the load test hits /status/500 (on the simulator the new version fails 30%)
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 3
                maxWeight: 50
                stepWeight: 10
            {Metrics(ns.Name, 500)}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ", path: "/status/500")}
            """, extraSpec: "  provider: linkerd"));
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image2);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        Assert.Equal(["podinfo-canary=0", "podinfo-primary=100"], Backends((await TrafficSplitAsync(ns))!));
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 3", await ns.EventMessagesAsync("podinfo"));
        ns.Report("24 linkerd canary");
    }

    [Fact]
    public async Task Step_weights_are_walked_in_order_and_the_new_version_is_promoted()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("linkerd", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-linkerd-steps");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Templates(ns.Name, backend.PrometheusUrl));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 15
                stepWeights: [10, 20, 30, 40, 50, 60]
            {Metrics(ns.Name, 300)}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """, extraSpec: "  provider: linkerd"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var advances = (await ns.EventMessagesAsync("podinfo")).Where(e => e.StartsWith($"Advance podinfo.{ns.Name} canary weight", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Equal([10, 20, 30, 40, 50, 60], advances.Select(e => int.Parse(e.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["podinfo-canary=0", "podinfo-primary=100"], Backends((await TrafficSplitAsync(ns))!));
        ns.Report("24 linkerd step weights");
    }

    [Fact]
    public async Task Through_a_gamma_httproute_on_the_service_a_linkerd_canary_is_promoted_and_a_failing_version_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("linkerd", TestContext.Current.CancellationToken);
        await backend.InstallProviderAsync("gatewayapi:v1beta1", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-linkerd-gamma");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Templates(ns.Name, backend.PrometheusUrl));
        string Canary(int threshold, int latency, string path) => Specs.Canary(ns.Name, "podinfo", $"""
                threshold: {threshold}
                maxWeight: 50
                stepWeight: 10
            {Metrics(ns.Name, latency)}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ", path)}
            """, service: $"""
                targetPort: 9898
                portDiscovery: true
                gatewayRefs:
                  - name: podinfo
                    namespace: {ns.Name}
                    group: core
                    kind: Service
                    port: 9898
            """, extraSpec: "  provider: gatewayapi:v1beta1");
        await ns.ApplyAsync(Canary(15, 300, "/"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // upstream: the apex Service selects the primary; the GAMMA route (parent: the Service) sends everything to it
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var route = (await HttpRouteAsync(ns))!;
        var parent = route["spec"]!["parentRefs"]![0]!;
        Assert.Equal(("core", "Service", "podinfo"), ((string?)parent["group"], (string?)parent["kind"], (string?)parent["name"]));
        Assert.Equal(["podinfo-primary=100", "podinfo-canary=0"], RouteBackends(route));

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 50, "canary weight 50");
        Assert.Equal(["podinfo-primary=50", "podinfo-canary=50"], RouteBackends((await HttpRouteAsync(ns))!));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(["podinfo-primary=100", "podinfo-canary=0"], RouteBackends((await HttpRouteAsync(ns))!));
        // the canary's share really went through the route: its inbound Linkerd series reached Prometheus
        Assert.True(await ns.QueryAsync($"sum(response_total{{namespace=\"{ns.Name}\",deployment=\"podinfo\",direction=\"inbound\"}})") > 0);

        // upstream rollback: threshold 3, the load test hits /status/500 (on the simulator the new version fails 30%)
        await ns.ApplyAsync(Canary(3, 500, "/status/500"));
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image2);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        Assert.Equal(["podinfo-primary=100", "podinfo-canary=0"], RouteBackends((await HttpRouteAsync(ns))!));
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 3", await ns.EventMessagesAsync("podinfo"));
        ns.Report("24 linkerd through GAMMA");
    }

    private static Task<System.Text.Json.Nodes.JsonNode?> HttpRouteAsync(TestNamespace ns) =>
        ns.CustomAsync("gateway.networking.k8s.io", "v1beta1", "httproutes", "podinfo");

    private static List<string> RouteBackends(System.Text.Json.Nodes.JsonNode route) =>
        [.. route["spec"]!["rules"]![0]!["backendRefs"]!.AsArray().Select(b => $"{b!["name"]}={b["weight"]}")];

    private static Task<System.Text.Json.Nodes.JsonNode?> TrafficSplitAsync(TestNamespace ns) =>
        ns.CustomAsync("split.smi-spec.io", "v1alpha1", "trafficsplits", "podinfo");

    private static List<string> Backends(System.Text.Json.Nodes.JsonNode split) =>
        [.. split["spec"]!["backends"]!.AsArray().Select(b => $"{b!["service"]}={b["weight"]}")];
}
