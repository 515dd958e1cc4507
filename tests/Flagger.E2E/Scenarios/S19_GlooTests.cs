using System.Text.Json.Nodes;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 19 (upstream test/gloo/test-canary.sh): a Gloo VirtualService delegates to the RouteTable Flagger generates;
/// the generated Upstreams copy the config Upstream of <c>upstreamRef</c> and follow its load-balancer changes; a
/// promotion behind a confirm-rollout gate, an A/B run on the <c>x-canary: insider</c> header, then a blue/green run,
/// judged by the builtin metrics over Gloo's Envoy cluster series (named after the canary Upstream).
/// </summary>
public sealed class S19_GlooTests(E2EEnvironment environment)
{
    [Fact]
    public async Task Gloo_copies_the_upstream_ref_promotes_by_weight_then_an_ab_test_on_a_header_then_blue_green()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("gloo", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-gloo");
        var glooSystem = await TestNamespace.CreateAsync(backend, "e2e-gloo-system");
        var canaryUpstream = $"{ns.Name}-podinfo-canaryupstream-9898";
        await glooSystem.ApplyAsync($"""
            apiVersion: gateway.solo.io/v1
            kind: VirtualService
            metadata:
              name: podinfo
              namespace: {glooSystem.Name}
            spec:
              virtualHost:
                domains:
                  - app.example.com
                routes:
                  - matchers:
                     - prefix: /
                    delegateAction:
                      ref:
                        name: podinfo
                        namespace: {ns.Name}
            ---
            apiVersion: gloo.solo.io/v1
            kind: Upstream
            metadata:
              name: config-upstream
              namespace: {glooSystem.Name}
            spec:
              static:
                hosts:
                - addr: "example.com"
                  port: 80
              connectionConfig:
                connectTimeout: 2s
                maxRequestsPerConnection: 51
              loadBalancerConfig:
                roundRobin:
                  slowStartConfig:
                    slowStartWindow: 2m
                    minWeightPercent: 5
            """);
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                maxWeight: 30
                stepWeight: 10
            {Specs.SuccessRate}
                webhooks:
                  - name: gate
                    type: confirm-rollout
                    url: {backend.LoadTesterUrl}gate/approve
            {LoadTest(backend, "")}
            """, extraSpec: $"""
              provider: gloo
              upstreamRef:
                apiVersion: gloo.solo.io/v1
                kind: Upstream
                name: config-upstream
                namespace: {glooSystem.Name}
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // upstream: the canary Upstream carries the config Upstream's connectionConfig (maxRequestsPerConnection 51)
        var upstream = (await Upstream(ns, canaryUpstream))!;
        Assert.Equal(51, upstream["spec"]!["connectionConfig"]!["maxRequestsPerConnection"]!.GetValue<int>());
        Assert.Equal("podinfo-canary", upstream["spec"]!["kube"]!["serviceName"]!.GetValue<string>());
        Assert.Null(upstream["spec"]!["static"]);
        var table = (await ns.CustomAsync("gateway.solo.io", "v1", "routetables", "podinfo"))!;
        Assert.True(table["spec"]!["routes"]![0]!["inheritablePathMatchers"]!.GetValue<bool>());
        Assert.Equal([$"{ns.Name}-podinfo-primaryupstream-9898:100", $"{canaryUpstream}:0"], Destinations(table));

        // upstream: a changed slow-start config of the config Upstream reaches the generated Upstreams
        await backend.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""[{"op":"replace","path":"/spec/loadBalancerConfig/roundRobin/slowStartConfig/minWeightPercent","value":20}]""", V1Patch.PatchType.JsonPatch),
            "gloo.solo.io", "v1", glooSystem.Name, "upstreams", "config-upstream", cancellationToken: TestContext.Current.CancellationToken);
        await ns.WaitUntilAsync(async () => (await Upstream(ns, canaryUpstream))!["spec"]!["loadBalancerConfig"]!["roundRobin"]!["slowStartConfig"]!["minWeightPercent"]!.GetValue<double>() == 20,
            "minWeightPercent 20 on the canary Upstream");

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);
        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 30, "canary weight 30");
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 30", events);
        Assert.Contains("Confirm-rollout check gate passed", events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        Assert.True(await ns.QueryAsync($"sum(envoy_cluster_upstream_rq{{envoy_cluster_name=\"{canaryUpstream}_{ns.Name}\"}})") > 0,
            "Gloo's Envoy cluster of the canary Upstream received requests through the RouteTable");

        // Steady state: every tick reconciles the Upstreams and the RouteTable against what the API server stored
        // (pruned by Gloo's schemas) and writes nothing.
        var versions = await Versions(ns, canaryUpstream);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Equal(versions, await Versions(ns, canaryUpstream));

        // A/B: only requests with x-canary: insider match the RouteTable, and they go to the canary for 3 iterations.
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                iterations: 3
                match:
                  - headers:
                      x-canary:
                        exact: "insider"
                metrics:
                  - name: request-success-rate
                    threshold: 99
                    interval: 30s
                  - name: request-duration
                    threshold: 500
                    interval: 30s
                webhooks:
            {LoadTest(backend, "-H 'X-Canary: insider' ")}
            """, extraSpec: "  provider: gloo").Replace(Specs.Traffic, Specs.Traffic + "\n        simulator.flagger.app/headers: \"x-canary=insider:0.5\"", StringComparison.Ordinal));
        await ns.SetImageAsync("podinfo", TestNamespace.Image2);
        await ns.WaitUntilAsync(async () => Destinations((await ns.CustomAsync("gateway.solo.io", "v1", "routetables", "podinfo"))!)
            .SequenceEqual([$"{ns.Name}-podinfo-primaryupstream-9898:0", $"{canaryUpstream}:100"]), "the matched route on the canary Upstream");
        table = (await ns.CustomAsync("gateway.solo.io", "v1", "routetables", "podinfo"))!;
        var header = table["spec"]!["routes"]![0]!["matchers"]![0]!["headers"]![0]!;
        Assert.Equal(("x-canary", "insider"), (header["name"]!.GetValue<string>(), header["value"]!.GetValue<string>()));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image2, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", await ns.EventMessagesAsync("podinfo"));

        // Blue/green: iterations without match; the RouteTable loses its matchers and all traffic moves to the canary.
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                iterations: 3
            {Specs.SuccessRate}
                webhooks:
            {LoadTest(backend, "")}
            """, extraSpec: "  provider: gloo"));
        await ns.SetImageAsync("podinfo", TestNamespace.Image3);
        await ns.WaitUntilAsync(async () => Destinations((await ns.CustomAsync("gateway.solo.io", "v1", "routetables", "podinfo"))!)
            .SequenceEqual([$"{ns.Name}-podinfo-primaryupstream-9898:0", $"{canaryUpstream}:100"]), "all traffic on the canary Upstream");
        Assert.Null((await ns.CustomAsync("gateway.solo.io", "v1", "routetables", "podinfo"))!["spec"]!["routes"]![0]!["matchers"]);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image3, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal([$"{ns.Name}-podinfo-primaryupstream-9898:100", $"{canaryUpstream}:0"],
            Destinations((await ns.CustomAsync("gateway.solo.io", "v1", "routetables", "podinfo"))!));
        ns.Report("19 gloo");
    }

    /// <summary>
    /// On a real cluster the load goes through Gloo's gateway proxy, as upstream's <c>hey -host app.example.com
    /// http://gateway-proxy.gloo-system</c>; the simulator sends the apex Service's traffic itself.
    /// </summary>
    private static string LoadTest(IClusterBackend backend, string header) => backend.Name == "simulated" ? "" : $"""
              - name: load-test
                url: {backend.LoadTesterUrl}
                timeout: 5s
                metadata:
                  type: cmd
                  cmd: "hey -z 2m -q 5 -c 2 {header}-host app.example.com http://gateway-proxy.gloo-system"
        """;

    private static async Task<List<string>> Versions(TestNamespace ns, string canaryUpstream) =>
    [
        (await Upstream(ns, canaryUpstream))!["metadata"]!["resourceVersion"]!.GetValue<string>(),
        (await Upstream(ns, $"{ns.Name}-podinfo-primaryupstream-9898"))!["metadata"]!["resourceVersion"]!.GetValue<string>(),
        (await ns.CustomAsync("gateway.solo.io", "v1", "routetables", "podinfo"))!["metadata"]!["resourceVersion"]!.GetValue<string>(),
    ];

    private static Task<JsonNode?> Upstream(TestNamespace ns, string name) => ns.CustomAsync("gloo.solo.io", "v1", "upstreams", name);

    /// <summary>"upstream:weight" of the first route's destinations (an omitted weight is 0).</summary>
    private static List<string> Destinations(JsonNode table) =>
        [.. table["spec"]!["routes"]![0]!["routeAction"]!["multi"]!["destinations"]!.AsArray()
            .Select(d => $"{d!["destination"]!["upstream"]!["name"]}:{d["weight"]?.GetValue<long>() ?? 0}")];
}
