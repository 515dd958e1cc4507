using System.Text.RegularExpressions;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 27: App Mesh (<c>appmesh:v1beta2</c> and <c>appmesh</c> v1beta1). Upstream has no App Mesh e2e; these are the
/// shapes of its other providers' suites (test/istio, test/contour: promotion, metric rollback, A/B by header) with the
/// App Mesh objects of pkg/router/appmesh*.go and the builtin App Mesh metrics (Envoy series by pod) through Prometheus.
/// </summary>
public sealed partial class S27_AppMeshTests(E2EEnvironment environment)
{
    private const string Group = "appmesh.k8s.aws";

    /// <summary>The builtin request-success-rate and request-duration metrics.</summary>
    private const string BuiltinMetrics = """
            metrics:
              - name: request-success-rate
                thresholdRange:
                  min: 99
                interval: 30s
              - name: request-duration
                thresholdRange:
                  max: 500
                interval: 30s
        """;

    [GeneratedRegex(@"^Halt podinfo\.e2e-appmesh-rollback advancement success rate \d+\.\d\d% < 99%$")]
    private static partial Regex HaltSuccessRate();

    [Fact]
    public async Task V1beta2_shifts_the_virtual_router_weights_by_step_while_the_builtin_metrics_pass_then_promotes()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("appmesh:v1beta2", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-appmesh");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                maxWeight: 50
                stepWeight: 25
            {BuiltinMetrics}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """, service: """
                portName: http
                timeout: 15s
                backends:
                  - backend.test
            """, extraSpec: "  provider: appmesh:v1beta2"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // The objects of pkg/router/appmesh_v1beta2.go.
        var primaryNode = (await ns.CustomAsync(Group, "v1beta2", "virtualnodes", "podinfo-primary"))!;
        Assert.Equal("podinfo-primary", primaryNode["spec"]!["podSelector"]!["matchLabels"]!["app"]!.GetValue<string>());
        Assert.Equal($"podinfo-primary.{ns.Name}.svc.cluster.local.", primaryNode["spec"]!["serviceDiscovery"]!["dns"]!["hostname"]!.GetValue<string>());
        Assert.Equal(15000, primaryNode["spec"]!["listeners"]![0]!["timeout"]!["http"]!["perRequest"]!["value"]!.GetValue<long>());
        Assert.Equal("backend.test", primaryNode["spec"]!["backends"]![0]!["virtualService"]!["virtualServiceRef"]!["name"]!.GetValue<string>());
        var canaryNode = (await ns.CustomAsync(Group, "v1beta2", "virtualnodes", "podinfo-canary"))!;
        Assert.Equal("podinfo", canaryNode["spec"]!["podSelector"]!["matchLabels"]!["app"]!.GetValue<string>());
        Assert.Equal("podinfo-canary", (await ns.CustomAsync(Group, "v1beta2", "virtualservices", "podinfo-canary"))!["spec"]!["provider"]!["virtualRouter"]!["virtualRouterRef"]!["name"]!.GetValue<string>());
        Assert.Equal(["podinfo-canary:100", "podinfo-primary:0"], await WeightsAsync(ns, "v1beta2", "virtualrouters", "podinfo-canary"));
        Assert.Equal(["podinfo-canary:0", "podinfo-primary:100"], await WeightsAsync(ns, "v1beta2", "virtualrouters", "podinfo"));

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 50, "canary weight 50");
        Assert.Equal(["podinfo-canary:50", "podinfo-primary:50"], await WeightsAsync(ns, "v1beta2", "virtualrouters", "podinfo"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(["podinfo-canary:0", "podinfo-primary:100"], await WeightsAsync(ns, "v1beta2", "virtualrouters", "podinfo"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 25", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 50", events);
        Assert.Contains($"Copying podinfo.{ns.Name} template spec to podinfo-primary.{ns.Name}", events);
        Assert.Contains("Promotion completed! Scaling down podinfo." + ns.Name, events);
        // The canary pods' Envoy series the App Mesh observer reads came through the virtual router.
        Assert.True(await ns.QueryAsync($"sum(envoy_cluster_upstream_rq{{kubernetes_namespace=\"{ns.Name}\",kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"}})") > 0);
        ns.Report("27 App Mesh v1beta2 promotion");
    }

    [Fact]
    public async Task V1beta2_a_new_version_answering_errors_fails_the_builtin_success_rate_and_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("appmesh:v1beta2", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-appmesh-rollback");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                # the first checks of a new version find no rate yet ("no values found") and count as failed
                threshold: 8
                maxWeight: 50
                stepWeight: 10
            {Specs.SuccessRate}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ", path: "/status/500")}
            """, extraSpec: "  provider: appmesh:v1beta2"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image1);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => HaltSuccessRate().IsMatch(m));
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 8", warnings);
        Assert.Contains($"Canary failed! Scaling down podinfo.{ns.Name}", warnings);
        Assert.Equal(["podinfo-canary:0", "podinfo-primary:100"], await WeightsAsync(ns, "v1beta2", "virtualrouters", "podinfo"));
        ns.Report("27 App Mesh v1beta2 metric rollback");
    }

    [Fact]
    public async Task V1beta1_AB_testing_routes_the_matching_header_to_the_canary_then_promotes()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("appmesh", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-appmesh-ab");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                iterations: 5
            {BuiltinMetrics}
                match:
                  - headers:
                      x-canary:
                        exact: insider
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """, service: """
                meshName: global
            """, extraSpec: "  provider: appmesh").Replace(Specs.Traffic, Specs.Traffic + "\n        simulator.flagger.app/headers: \"x-canary=insider:0.3\"", StringComparison.Ordinal));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var apexNode = (await ns.CustomAsync(Group, "v1beta1", "virtualnodes", "podinfo"))!;
        Assert.Equal("global", apexNode["spec"]!["meshName"]!.GetValue<string>());
        Assert.Equal($"podinfo-primary.{ns.Name}", apexNode["spec"]!["serviceDiscovery"]!["dns"]!["hostName"]!.GetValue<string>());
        Assert.Equal("podinfo-canary", (await ns.CustomAsync(Group, "v1beta1", "virtualservices", $"podinfo-canary.{ns.Name}"))!["spec"]!["virtualRouter"]!["name"]!.GetValue<string>());

        await ns.SetImageAsync("podinfo", TestNamespace.Image3);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.Phase == nameof(CanaryPhase.Progressing) && c.Status.Iterations >= 1, "the first A/B iteration");
        var vs = (await ns.CustomAsync(Group, "v1beta1", "virtualservices", $"podinfo.{ns.Name}"))!;
        var routes = vs["spec"]!["routes"]!.AsArray();
        Assert.Equal(["podinfo-a", "podinfo-b"], routes.Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal("insider", routes[0]!["http"]!["match"]!["headers"]![0]!["match"]!["exact"]!.GetValue<string>());
        Assert.Equal(["podinfo-canary:100", "podinfo-primary:0"], Weights(routes[0]!["http"]!));
        Assert.Equal(["podinfo-primary:100"], Weights(routes[1]!["http"]!));
        // Requests without the header still reach the primary pods while the canary is tested.
        var primaryRequests = $"sum(envoy_cluster_upstream_rq{{kubernetes_namespace=\"{ns.Name}\",kubernetes_pod_name=~\"podinfo-primary-.*\"}})";
        var before = await ns.QueryAsync(primaryRequests) ?? 0;
        await ns.WaitUntilAsync(async () => await ns.QueryAsync(primaryRequests) > before + 10, "requests without the header reaching the primary");

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image3, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 5/5", await ns.EventMessagesAsync("podinfo"));
        var after = (await ns.CustomAsync(Group, "v1beta1", "virtualservices", $"podinfo.{ns.Name}"))!["spec"]!["routes"]!.AsArray();
        Assert.Equal(["podinfo-canary:0", "podinfo-primary:100"], Weights(after[0]!["http"]!));
        ns.Report("27 App Mesh v1beta1 A/B");
    }

    private static async Task<List<string>> WeightsAsync(TestNamespace ns, string version, string plural, string name) =>
        Weights((await ns.CustomAsync(Group, version, plural, name))!["spec"]!["routes"]![0]!["httpRoute"]!);

    private static List<string> Weights(System.Text.Json.Nodes.JsonNode route) =>
        [.. route["action"]!["weightedTargets"]!.AsArray().Select(t =>
            $"{t!["virtualNodeRef"]?["name"] ?? t["virtualNodeName"]}:{t["weight"]}")];
}
