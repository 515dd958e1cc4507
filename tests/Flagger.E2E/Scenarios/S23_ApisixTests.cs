using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 23 (upstream test/apisix/test-canary.sh): Flagger derives the ApisixRoute <c>podinfo-podinfo-canary</c>
/// (priority 10000, primary and canary backends) from the user's route <c>podinfo</c>; the builtin APISIX metrics, read
/// by the real Prometheus from the prometheus plugin's series of that route, promote a good version and roll back a
/// failing one.
/// </summary>
public sealed partial class S23_ApisixTests(E2EEnvironment environment)
{
    [GeneratedRegex(@"^Halt podinfo\.e2e-apisix-rollback advancement success rate \d+\.\d\d% < 99%$")]
    private static partial Regex HaltSuccessRate();

    /// <summary>upstream's ApisixRoute, with the prometheus plugin preferring route names.</summary>
    private static string UserRoute(string ns) => $"""
        apiVersion: apisix.apache.org/v2
        kind: ApisixRoute
        metadata:
          name: podinfo
          namespace: {ns}
        spec:
          http:
            - backends:
                - serviceName: podinfo
                  servicePort: 9898
              match:
                hosts:
                  - app.example.com
                methods:
                  - GET
                paths:
                  - /*
              name: method
              plugins:
                - name: prometheus
                  enable: true
                  config:
                    disable: false
                    prefer_name: true
        """;

    /// <summary>upstream's Canary (interval, weights and metric windows shortened), with a load test through the APISIX gateway on k3s.</summary>
    private static string Canary(IClusterBackend backend, string ns, int threshold, string loadPath = "/api/info") => $"""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: {ns}
        spec:
          provider: apisix
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo
          routeRef:
            apiVersion: apisix.apache.org/v2
            kind: ApisixRoute
            name: podinfo
          progressDeadlineSeconds: 60
          service:
            port: 9898
            targetPort: 9898
            apex:
              annotations:
                {Specs.Traffic}
          analysis:
            interval: 1s
            threshold: {threshold}
            maxWeight: 50
            stepWeight: 10
            metrics:
              - name: request-success-rate
                thresholdRange:
                  min: 99
                interval: 30s
              - name: request-duration
                thresholdRange:
                  max: 500
                interval: 30s
        {ProxyLoadTest(backend, loadPath)}
        """;

    /// <summary>On k3s, upstream's load test through the APISIX gateway; the simulator sends the apex Service's rps through the routes itself.</summary>
    private static string ProxyLoadTest(IClusterBackend backend, string path) => backend.Name != "k3s" ? "" : $"""
            webhooks:
              - name: load-test
                url: {backend.LoadTesterUrl}
                timeout: 5s
                type: rollout
                metadata:
                  cmd: "hey -z 1m -q 10 -c 2 -h2 -host app.example.com http://apisix-gateway.apisix{path}"
        """;

    private static Task<JsonNode?> CanaryRouteAsync(TestNamespace ns) => ns.CustomAsync("apisix.apache.org", "v2", "apisixroutes", "podinfo-podinfo-canary");

    private static List<(string Service, int Weight)> Backends(JsonNode? route) =>
        [.. route!["spec"]!["http"]![0]!["backends"]!.AsArray().Select(b => (b!["serviceName"]!.GetValue<string>(), b["weight"]!.GetValue<int>()))];

    [Fact]
    public async Task The_canary_route_splits_by_backend_weight_and_the_builtin_apisix_metrics_promote_the_new_version()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("apisix", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-apisix");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(UserRoute(ns.Name));
        await ns.ApplyAsync(Canary(backend, ns.Name, threshold: 10));

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var route = await CanaryRouteAsync(ns);
        Assert.Equal(10000, route!["spec"]!["http"]![0]!["priority"]!.GetValue<int>());
        Assert.Equal("method", route["spec"]!["http"]![0]!["name"]!.GetValue<string>());
        Assert.Equal([("podinfo-primary", 100), ("podinfo-canary", 0)], Backends(route));
        Assert.Equal("Canary", route["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 50, "canary weight 50");
        Assert.Equal([("podinfo-primary", 50), ("podinfo-canary", 50)], Backends(await CanaryRouteAsync(ns)));
        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, succeeded.Status!.CanaryWeight);
        Assert.Equal([("podinfo-primary", 100), ("podinfo-canary", 0)], Backends(await CanaryRouteAsync(ns)));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 10", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 50", events);
        Assert.Contains("Promotion completed! Scaling down podinfo." + ns.Name, events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        // The analysis read the prometheus plugin's series of the canary route, named <ns>_<route>_<rule>.
        var canaryRouteRequests = await ns.QueryAsync(string.Create(CultureInfo.InvariantCulture,
            $"sum(apisix_http_status{{route=\"{ns.Name}_podinfo-podinfo-canary_method\"}})"));
        Assert.True(canaryRouteRequests > 0, $"no APISIX requests recorded for the canary route: {canaryRouteRequests}");
        ns.Report("23 apisix promotion");
    }

    [Fact]
    public async Task A_new_version_answering_errors_through_apisix_breaks_the_success_rate_and_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("apisix", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-apisix-rollback");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(UserRoute(ns.Name));
        // Prometheus needs two scrapes of the new version before a rate exists; the threshold leaves room for those.
        await ns.ApplyAsync(Canary(backend, ns.Name, threshold: 8, loadPath: "/status/500"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image1);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => HaltSuccessRate().IsMatch(m));
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 8", warnings);
        Assert.Equal([("podinfo-primary", 100), ("podinfo-canary", 0)], Backends(await CanaryRouteAsync(ns)));
        ns.Report("23 apisix rollback");
    }

    [Fact]
    public async Task Blue_green_runs_its_iterations_on_the_primary_then_switches_the_canary_route_to_the_canary_and_promotes()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("apisix", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-apisix-bluegreen");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(UserRoute(ns.Name));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                iterations: 3
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: acceptance
                    type: rollout
                    url: {backend.LoadTesterUrl}
                    timeout: 5s
                    metadata:
                      type: cmd
                      cmd: "true"
            """, extraSpec: """
              provider: apisix
              routeRef:
                apiVersion: apisix.apache.org/v2
                kind: ApisixRoute
                name: podinfo
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image2);

        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image2, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", events);
        Assert.Contains("Routing all traffic to canary", events);
        Assert.Contains("Routing all traffic to primary", events);
        Assert.DoesNotContain(events, e => e.Contains("canary weight", StringComparison.Ordinal));
        Assert.Equal(0, succeeded.Status!.CanaryWeight ?? 0);
        Assert.Equal([("podinfo-primary", 100), ("podinfo-canary", 0)], Backends(await CanaryRouteAsync(ns)));
        ns.Report("23 apisix blue/green");
    }
}
