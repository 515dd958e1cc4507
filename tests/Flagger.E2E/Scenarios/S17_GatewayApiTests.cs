using System.Text.Json.Nodes;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Gateway API (upstream test/gatewayapi/test-canary.sh, test-ab.sh, test-bg.sh, test-session-affinity.sh): the
/// HTTPRoute <c>podinfo</c> attached to a Gateway carries the release; the builtin metrics of <c>gatewayapi</c> are the
/// generic HTTP ones (<c>http_request_duration_seconds</c> of the pods). Each scenario creates its Gateway in its own
/// namespace (upstream uses one in <c>istio-ingress</c>); the route is only trusted once the Gateway accepted it.
/// </summary>
public sealed class S17_GatewayApiTests(E2EEnvironment environment)
{
    private const string Host = "www.example.com";

    private static string Gateway(string ns) => $"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: gateway
          namespace: {ns}
        spec:
          gatewayClassName: istio
          listeners:
          - name: default
            hostname: "*.example.com"
            port: 80
            protocol: HTTP
            allowedRoutes:
              namespaces:
                from: All
        """;

    private static string Service(string ns, string extra = "") => $"""
            hosts:
             - {Host}
            gatewayRefs:
              - name: gateway
                namespace: {ns}
        {extra}
        """;

    private const string Metrics = """
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

    private static async Task<TestNamespace> SetUpAsync(IClusterBackend backend, string provider, string name)
    {
        await backend.InstallProviderAsync(provider, TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, name);
        await ns.ApplyAsync(Gateway(ns.Name));
        await ns.ApplyAsync(ns.Podinfo());
        return ns;
    }

    private static Task<JsonNode?> RouteAsync(TestNamespace ns, string version = "v1") =>
        ns.CustomAsync("gateway.networking.k8s.io", version, "httproutes", "podinfo");

    private static List<string> Backends(JsonNode? rule) =>
        [.. rule!["backendRefs"]!.AsArray().Select(b => $"{b!["name"]}:{b["weight"]}")];

    [Fact]
    public async Task A_canary_release_shifts_the_HTTPRoute_weights_and_is_promoted_then_a_failing_release_is_rolled_back()
    {
        var backend = environment.Backend;
        var ns = await SetUpAsync(backend, "gatewayapi:v1", "e2e-gwapi");
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 8
                maxWeight: 50
                stepWeight: 10
            {Metrics}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """, service: Service(ns.Name), extraSpec: "  provider: gatewayapi:v1"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        // upstream check_primary: the apex Service selects the primary; display_httproute: the route exists.
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var route = (await RouteAsync(ns))!;
        Assert.Equal([Host], route["spec"]!["hostnames"]!.AsArray().Select(h => (string?)h));
        var parentRef = route["spec"]!["parentRefs"]![0]!;
        Assert.Equal(("gateway", ns.Name), ((string?)parentRef["name"], (string?)parentRef["namespace"]));
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Backends(route["spec"]!["rules"]![0]));
        Assert.Equal("Canary", (string?)route["metadata"]!["ownerReferences"]![0]!["kind"]);
        await ns.WaitUntilAsync(async () => (await RouteAsync(ns))!["status"]?["parents"]?[0]?["conditions"]?.AsArray()
            .Any(c => (string?)c!["type"] == "Accepted" && (string?)c["status"] == "True") == true, "the Gateway accepting the HTTPRoute");
        // Reconcile compares with the API server's defaults applied: an idle canary does not rewrite its route.
        var generation = (long?)(await RouteAsync(ns))!["metadata"]!["generation"];
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.Equal(generation, (long?)(await RouteAsync(ns))!["metadata"]!["generation"]);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight >= 20, "canary weight 20");
        var shifted = Backends((await RouteAsync(ns))!["spec"]!["rules"]![0]);
        Assert.Contains(shifted, b => b.StartsWith("podinfo-canary:", StringComparison.Ordinal) && b != "podinfo-canary:0");
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 10", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 50", events);
        Assert.Contains($"Promotion completed! Scaling down podinfo.{ns.Name}", events);
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Backends((await RouteAsync(ns))!["spec"]!["rules"]![0]));

        // upstream's rollback test: the new version answers errors (the load test hits /status/500 there).
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.3" }, TestNamespace.Image2);

        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 8", await ns.EventMessagesAsync("podinfo"));
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Backends((await RouteAsync(ns))!["spec"]!["rules"]![0]));
        ns.Report("17 gatewayapi:v1 canary + rollback");
    }

    [Fact]
    public async Task AB_testing_on_v1beta1_routes_the_insider_header_to_the_canary_and_the_rest_to_the_primary()
    {
        var backend = environment.Backend;
        var ns = await SetUpAsync(backend, "gatewayapi:v1beta1", "e2e-gwapi-ab");
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                iterations: 3
                match:
                - headers:
                    x-canary:
                      exact: "insider"
            {Metrics}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}
            """, service: Service(ns.Name), extraSpec: "  provider: gatewayapi:v1beta1")
            .Replace(Specs.Traffic, Specs.Traffic + "\n        simulator.flagger.app/headers: \"x-canary=insider:0.3\"", StringComparison.Ordinal));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        // upstream runAB: the matching requests all go to the canary for the whole run.
        await ns.WaitUntilAsync(async () => Backends((await RouteAsync(ns, "v1beta1"))!["spec"]!["rules"]![0]).SequenceEqual(["podinfo-primary:0", "podinfo-canary:100"]),
            "insider requests routed to the canary");
        var rules = (await RouteAsync(ns, "v1beta1"))!["spec"]!["rules"]!.AsArray();
        Assert.Equal(2, rules.Count);
        var header = rules[0]!["matches"]![0]!["headers"]![0]!;
        Assert.Equal(("Exact", "x-canary", "insider"), ((string?)header["type"], (string?)header["name"], (string?)header["value"]));
        Assert.Equal(["podinfo-primary:0", "podinfo-canary:100"], Backends(rules[0]));
        Assert.Equal(["podinfo-primary:100"], Backends(rules[1]));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", await ns.EventMessagesAsync("podinfo"));
        // The route keeps the A/B layout with all insider traffic back on the primary.
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Backends((await RouteAsync(ns, "v1beta1"))!["spec"]!["rules"]![0]));
        ns.Report("17 gatewayapi:v1beta1 A/B");
    }

    [Fact]
    public async Task Blue_green_with_mirroring_copies_requests_to_the_canary_then_promotes()
    {
        var backend = environment.Backend;
        var ns = await SetUpAsync(backend, "gatewayapi:v1", "e2e-gwapi-bg");
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                iterations: 5
                mirror: true
            {Metrics}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: smoke-test
                    type: pre-rollout
                    url: {backend.LoadTesterUrl}
                    timeout: 15s
                    metadata:
                      type: cmd
                      cmd: "true"
            """, service: Service(ns.Name), extraSpec: "  provider: gatewayapi:v1"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitUntilAsync(async () => (await RouteAsync(ns))!["spec"]!["rules"]![0]!["filters"]?.AsArray()
            .Any(f => (string?)f!["type"] == "RequestMirror" && (string?)f["requestMirror"]!["backendRef"]!["name"] == "podinfo-canary") == true,
            "the RequestMirror filter to podinfo-canary");
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Backends((await RouteAsync(ns))!["spec"]!["rules"]![0]));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains("Pre-rollout check smoke-test passed", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 5/5", events);
        Assert.Null((await RouteAsync(ns))!["spec"]!["rules"]![0]!["filters"]);
        ns.Report("17 gatewayapi:v1 blue/green mirroring");
    }

    [Fact]
    public async Task Session_affinity_hands_out_canary_and_primary_cookies_and_expires_the_canary_cookie_after_promotion()
    {
        var backend = environment.Backend;
        var ns = await SetUpAsync(backend, "gatewayapi:v1", "e2e-gwapi-sa");
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 15
                maxWeight: 20
                stepWeight: 10
                sessionAffinity:
                  cookieName: canary-flagger-cookie
                  primaryCookieName: primary-flagger-cookie
            {Metrics}
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: promotion-gate
                    type: confirm-promotion
                    url: {backend.LoadTesterUrl}gate/check
            """, service: Service(ns.Name), extraSpec: "  provider: gatewayapi:v1"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        var waiting = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.WaitingPromotion);
        var cookie = waiting.Status!.SessionAffinityCookie!;
        var primaryCookie = waiting.Status.PrimarySessionAffinityCookie!;
        Assert.StartsWith("canary-flagger-cookie=", cookie, StringComparison.Ordinal);
        Assert.StartsWith("primary-flagger-cookie=", primaryCookie, StringComparison.Ordinal);
        var rules = (await RouteAsync(ns))!["spec"]!["rules"]!.AsArray();
        Assert.Equal(3, rules.Count);
        // Requests carrying a cookie stick to its version; the weighted rule's backends hand the cookies out.
        Assert.Equal($".*canary-flagger-cookie.*{cookie.Split('=')[1]}.*", (string?)rules[0]!["matches"]![0]!["headers"]![0]!["value"]);
        Assert.Equal(["podinfo-primary:0", "podinfo-canary:100"], Backends(rules[0]));
        Assert.Equal($".*primary-flagger-cookie.*{primaryCookie.Split('=')[1]}.*", (string?)rules[1]!["matches"]![0]!["headers"]![0]!["value"]);
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"], Backends(rules[1]));
        Assert.Equal(["podinfo-primary:80", "podinfo-canary:20"], Backends(rules[2]));
        string SetCookie(JsonNode? backendRef) => (string)backendRef!["filters"]![0]!["responseHeaderModifier"]!["add"]![0]!["value"]!;
        Assert.Equal($"{cookie}; Max-Age=86400", SetCookie(rules[2]!["backendRefs"]![1]));
        // upstream: the primary cookie lives one analysis interval (time.ParseDuration of spec.analysis.interval, 1s here).
        Assert.Equal($"{primaryCookie}; Max-Age=1", SetCookie(rules[2]!["backendRefs"]![0]));

        await backend.PostLoadTesterAsync("gate/open", $$"""{"name":"podinfo","namespace":"{{ns.Name}}"}""", TestContext.Current.CancellationToken);

        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(cookie, succeeded.Status!.PreviousSessionAffinityCookie);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        // upstream "Verifying cookie cleanup": a request with the previous cookie gets it back with Max-Age=-1.
        var after = (await RouteAsync(ns))!["spec"]!["rules"]!.AsArray();
        Assert.Equal($"{cookie}; Max-Age=-1", (string?)after[0]!["filters"]!.AsArray().Last()!["responseHeaderModifier"]!["add"]![0]!["value"]);
        Assert.DoesNotContain("Max-Age=86400", after.ToJsonString(), StringComparison.Ordinal);
        ns.Report("17 gatewayapi:v1 session affinity");
    }
}
