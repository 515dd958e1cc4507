using System.Text.Json.Nodes;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 18 (upstream test/contour/test-canary.sh): a root HTTPProxy includes the HTTPProxy Flagger generates; a
/// stepped promotion, a rollback on request-duration, then an A/B run on the <c>x-canary: insider</c> header, judged by
/// the builtin metrics over Contour's Envoy cluster series.
/// </summary>
public sealed class S18_ContourTests(E2EEnvironment environment)
{
    private static string Metrics(string interval) => $"""
            metrics:
              - name: request-success-rate
                threshold: 99
                interval: {interval}
              - name: request-duration
                threshold: 500
                interval: {interval}
        """;

    [Fact]
    public async Task Contour_promotes_by_weight_rolls_back_a_slow_version_and_promotes_an_ab_test_on_a_header()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("contour", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-contour");
        await ns.ApplyAsync($"""
            apiVersion: projectcontour.io/v1
            kind: HTTPProxy
            metadata:
              name: podinfo-ingress
              namespace: {ns.Name}
            spec:
              virtualhost:
                fqdn: app.example.com
              includes:
                - name: podinfo
                  namespace: {ns.Name}
                  conditions:
                    - prefix: /
            """);
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Canary(ns, backend, """
                threshold: 10
                maxWeight: 30
                stepWeight: 10
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // upstream: kubectl get httpproxy podinfo -oyaml | grep 'ingressClassName: contour'
        var proxy = (await Proxy(ns))!;
        Assert.Equal("contour", proxy["spec"]!["ingressClassName"]!.GetValue<string>());
        Assert.Null(proxy["spec"]!["virtualhost"]);
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Services(proxy, 0));
        Assert.Equal($"podinfo-canary.{ns.Name}.svc.cluster.local:9898",
            proxy["spec"]!["routes"]![0]!["services"]![1]!["requestHeadersPolicy"]!["set"]![0]!["value"]!.GetValue<string>());

        // Promotion: the canary takes 10, 20, 30% while both builtin metrics pass on its Envoy cluster.
        await ns.SetImageAsync("podinfo", TestNamespace.Image1);
        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 30, "canary weight 30");
        Assert.Equal(["podinfo-primary:70", "podinfo-canary:30"], Services((await Proxy(ns))!, 0));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 30", events);
        Assert.Contains("Promotion completed! Scaling down podinfo." + ns.Name, events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        Assert.True(await ns.QueryAsync($"sum(envoy_cluster_upstream_rq{{envoy_cluster_name=\"{ns.Name}_podinfo-canary_9898\"}})") > 0,
            "the canary's Envoy cluster received requests through the HTTPProxy");
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Services((await Proxy(ns))!, 0));
        // Steady state: every tick reconciles the proxy against what the API server stored (pruned by Contour's
        // schema) and writes nothing.
        var version = (await Proxy(ns))!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Equal(version, (await Proxy(ns))!["metadata"]!["resourceVersion"]!.GetValue<string>());

        // Rollback: the next version answers in 1s (upstream: hey ... /delay/1), request-duration p99 > 500ms.
        await ns.ApplyAsync(Canary(ns, backend, """
                threshold: 5
                maxWeight: 30
                stepWeight: 10
            """));
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/latency-ms"] = "1000" }, TestNamespace.Image2);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => m.StartsWith($"Halt podinfo.{ns.Name} advancement request duration ", StringComparison.Ordinal) && m.EndsWith(" > 500ms", StringComparison.Ordinal));
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 5", warnings);
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Services((await Proxy(ns))!, 0));

        // A/B: requests with x-canary: insider go to the canary for 3 iterations. The canary's Envoy cluster keeps its
        // name across versions, so the run starts once the slow version's requests left the metric window.
        var canaryRate = $"sum(rate(envoy_cluster_upstream_rq{{envoy_cluster_name=\"{ns.Name}_podinfo-canary_9898\"}}[10s]))";
        await ns.WaitUntilAsync(async () => await ns.QueryAsync(canaryRate) is null or 0, "no requests on the rolled-back canary's cluster for 10s");
        await ns.ApplyAsync(Canary(ns, backend, $"""
                threshold: 5
                iterations: 3
                match:
                  - headers:
                      x-canary:
                        exact: "insider"
            """, metricInterval: "10s", header: "-H 'X-Canary: insider' ").Replace(Specs.Traffic, Specs.Traffic + "\n        simulator.flagger.app/headers: \"x-canary=insider:0.5\"", StringComparison.Ordinal));
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/latency-ms"] = null }, TestNamespace.Image3);
        await ns.WaitUntilAsync(async () => Services((await Proxy(ns))!, 0).SequenceEqual(["podinfo-primary:0", "podinfo-canary:100"]), "the header route on the canary");
        proxy = (await Proxy(ns))!;
        Assert.Equal("insider", proxy["spec"]!["routes"]![0]!["conditions"]![0]!["header"]!["exact"]!.GetValue<string>());
        Assert.Equal("x-canary", proxy["spec"]!["routes"]![0]!["conditions"]![0]!["header"]!["name"]!.GetValue<string>());
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Services(proxy, 1));
        Assert.Null(proxy["spec"]!["routes"]![1]!["conditions"]![0]!["header"]);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image3, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", await ns.EventMessagesAsync("podinfo"));
        ns.Report("18 contour");
    }

    private static string Canary(TestNamespace ns, IClusterBackend backend, string analysis, string metricInterval = "30s", string header = "") => Specs.Canary(ns.Name, "podinfo", $"""
        {analysis}
        {Metrics(metricInterval)}
            webhooks:
        {LoadTest(backend, header)}
        """, extraSpec: "  provider: contour");

    /// <summary>
    /// On a real cluster the load goes through Contour's Envoy, as upstream's <c>hey -host app.example.com
    /// http://envoy.projectcontour</c>; the simulator sends the apex Service's traffic itself.
    /// </summary>
    private static string LoadTest(IClusterBackend backend, string header) => backend.Name == "simulated" ? "" : $"""
              - name: load-test
                url: {backend.LoadTesterUrl}
                timeout: 5s
                metadata:
                  type: cmd
                  cmd: "hey -z 1m -q 10 -c 2 {header}-host app.example.com http://envoy.projectcontour"
        """;

    private static Task<JsonNode?> Proxy(TestNamespace ns) => ns.CustomAsync("projectcontour.io", "v1", "httpproxies", "podinfo");

    /// <summary>"name:weight" of a route's services (an omitted weight is 0).</summary>
    private static List<string> Services(JsonNode proxy, int route) =>
        [.. proxy["spec"]!["routes"]![route]!["services"]!.AsArray().Select(s => $"{s!["name"]}:{s["weight"]?.GetValue<long>() ?? 0}")];
}
