using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 21 (upstream test/traefik/test-canary.sh): the user's IngressRoute targets the TraefikService <c>podinfo</c>
/// that Flagger writes; the builtin Traefik metrics, read by the real Prometheus from the Traefik series of the requests
/// Traefik proxied, promote a good version and roll back a failing one.
/// </summary>
public sealed partial class S21_TraefikTests(E2EEnvironment environment)
{
    [GeneratedRegex(@"^Halt podinfo\.e2e-traefik-rollback advancement success rate \d+\.\d\d% < 99%$")]
    private static partial Regex HaltSuccessRate();

    /// <summary>upstream's IngressRoute: Host app.example.com to the TraefikService podinfo.</summary>
    private static string IngressRoute(string ns) => $$"""
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: podinfo
          namespace: {{ns}}
        spec:
          entryPoints:
            - web
          routes:
            - match: Host(`app.example.com`)
              kind: Rule
              services:
                - name: podinfo
                  kind: TraefikService
                  port: 80
        """;

    /// <summary>upstream's Canary (interval, weights and metric windows shortened), with a load test through Traefik on k3s.</summary>
    private static string Canary(IClusterBackend backend, string ns, int threshold, int maxWeight, string loadPath = "/") => $"""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: {ns}
        spec:
          provider: traefik
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo
          progressDeadlineSeconds: 60
          service:
            port: 9898
            apex:
              labels:
                test: test-label
              annotations:
                test: test-annotation
                {Specs.Traffic}
          analysis:
            interval: 1s
            threshold: {threshold}
            maxWeight: {maxWeight}
            stepWeight: 10
            metrics:
              - name: request-success-rate
                threshold: 99
                interval: 30s
              - name: request-duration
                threshold: 500
                interval: 30s
            webhooks:
              - name: gate
                type: confirm-rollout
                url: {backend.LoadTesterUrl}gate/approve
        {ProxyLoadTest(backend, loadPath)}
        """;

    /// <summary>On k3s, upstream's load test through the Traefik entry point; the simulator sends the apex Service's rps through the IngressRoute itself.</summary>
    private static string ProxyLoadTest(IClusterBackend backend, string path) => backend.Name != "k3s" ? "" : $"""
              - name: load-test
                type: rollout
                url: {backend.LoadTesterUrl}
                timeout: 5s
                metadata:
                  cmd: "hey -z 2m -q 5 -c 2 -host app.example.com http://traefik.traefik{path}"
        """;

    private static Task<JsonNode?> TraefikServiceAsync(TestNamespace ns) => ns.CustomAsync("traefik.io", "v1alpha1", "traefikservices", "podinfo");

    private static List<(string Name, int Weight)> Weighted(JsonNode? traefikService) =>
        [.. traefikService!["spec"]!["weighted"]!["services"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["weight"]?.GetValue<int>() ?? 1))];

    [Fact]
    public async Task The_traefik_service_splits_by_weight_and_the_builtin_traefik_metrics_promote_the_new_version()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("traefik", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-traefik");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(IngressRoute(ns.Name));
        await ns.ApplyAsync(Canary(backend, ns.Name, threshold: 10, maxWeight: 30));

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var initial = await TraefikServiceAsync(ns);
        Assert.Equal("test-label", initial!["metadata"]!["labels"]!["test"]!.GetValue<string>());
        Assert.Equal("test-annotation", initial["metadata"]!["annotations"]!["test"]!.GetValue<string>());
        Assert.Equal([("podinfo-primary", 100)], Weighted(initial));

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 30, "canary weight 30");
        Assert.Equal([("podinfo-primary", 70), ("podinfo-canary", 30)], Weighted(await TraefikServiceAsync(ns)));
        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, succeeded.Status!.CanaryWeight);
        Assert.Equal([("podinfo-primary", 100)], Weighted(await TraefikServiceAsync(ns)));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 10", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 30", events);
        Assert.Contains("Promotion completed! Scaling down podinfo." + ns.Name, events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        // The analysis read Traefik's series of the canary's Kubernetes Service, as Traefik names it.
        var canaryRequests = await ns.QueryAsync(string.Create(CultureInfo.InvariantCulture,
            $"sum(traefik_service_requests_total{{service=\"{ns.Name}-podinfo-canary-9898@kubernetescrd\"}})"));
        Assert.True(canaryRequests > 0, $"no Traefik requests recorded for the canary: {canaryRequests}");
        ns.Report("21 traefik promotion");
    }

    [Fact]
    public async Task A_new_version_answering_errors_through_traefik_breaks_the_success_rate_and_is_rolled_back()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("traefik", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-traefik-rollback");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(IngressRoute(ns.Name));
        // Prometheus needs two scrapes of the new version before a rate exists; the threshold leaves room for those.
        await ns.ApplyAsync(Canary(backend, ns.Name, threshold: 8, maxWeight: 50, loadPath: "/status/500"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image1);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image0, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => HaltSuccessRate().IsMatch(m));
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 8", warnings);
        Assert.Equal([("podinfo-primary", 100)], Weighted(await TraefikServiceAsync(ns)));
        ns.Report("21 traefik rollback");
    }

    [Fact]
    public async Task Blue_green_runs_its_iterations_on_the_primary_then_switches_the_traefik_service_to_the_canary_and_promotes()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("traefik", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-traefik-bluegreen");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(IngressRoute(ns.Name));
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
            """, extraSpec: "  provider: traefik"));
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
        Assert.Equal([("podinfo-primary", 100)], Weighted(await TraefikServiceAsync(ns)));
        ns.Report("21 traefik blue/green");
    }
}
