using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 20 (upstream test/nginx/test-canary.sh and test-lifecycle.sh): NGINX ingress canary, A/B on a header and a
/// failed-release lifecycle, with the builtin NGINX metrics read by the real Prometheus.
/// </summary>
public sealed class S20_NginxTests(E2EEnvironment environment)
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    [Fact]
    public async Task Canary_weights_move_through_the_canary_ingress_then_AB_testing_on_a_header_promotes_and_the_users_ingress_stays_untouched()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("nginx", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-nginx");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(UserIngress(ns.Name));
        await ns.ApplyAsync(NginxCanary(ns.Name, backend, """
                threshold: 10
                maxWeight: 40
                stepWeight: 20
                metrics:
                  - name: request-success-rate
                    thresholdRange:
                      min: 99
                    interval: 30s
                  - name: request-duration
                    thresholdRange:
                      max: 500
                    interval: 30s
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var initial = await IngressAsync(ns, "podinfo-canary");
        Assert.Equal("podinfo-canary", initial.Spec.Rules[0].Http.Paths[0].Backend.Service.Name);
        Assert.Equal("true", initial.Metadata.Annotations[Prefix + "canary"]);
        Assert.Equal("0", initial.Metadata.Annotations[Prefix + "canary-weight"]);
        Assert.Contains(initial.Metadata.OwnerReferences, o => o.Kind == "Canary" && o.Name == "podinfo");

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 40, "canary weight 40");
        Assert.Equal("40", (await IngressAsync(ns, "podinfo-canary")).Metadata.Annotations[Prefix + "canary-weight"]);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 20", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 40", events);
        Assert.Contains("Promotion completed! Scaling down podinfo." + ns.Name, events);
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        // The analysis judged requests the canary Ingress carried (ingress-nginx's canary label).
        Assert.True(await ns.QueryAsync($"sum(nginx_ingress_controller_requests{{namespace=\"{ns.Name}\",ingress=\"podinfo\",canary!=\"\"}})") > 0);
        Assert.Equal("0", (await IngressAsync(ns, "podinfo-canary")).Metadata.Annotations[Prefix + "canary-weight"]);

        // upstream: re-applying the original Ingress after the promotion passes validation; it was never modified.
        await ns.ApplyAsync(UserIngress(ns.Name));
        var user = await IngressAsync(ns, "podinfo");
        Assert.Equal("podinfo", user.Spec.Rules[0].Http.Paths[0].Backend.Service.Name);
        Assert.DoesNotContain(user.Metadata.Annotations, a => a.Key.StartsWith(Prefix, StringComparison.Ordinal));

        // A/B testing: requests with x-user: insider go to the canary for 3 iterations.
        await ns.ApplyAsync(NginxCanary(ns.Name, backend, """
                threshold: 10
                iterations: 3
                match:
                  - headers:
                      x-user:
                        exact: "insider"
                metrics:
                  - name: request-success-rate
                    thresholdRange:
                      min: 99
                    interval: 30s
            """, headers: "x-user=insider:0.5"));
        await ns.SetImageAsync("podinfo", TestNamespace.Image2);

        await ns.WaitUntilAsync(async () => (await IngressAsync(ns, "podinfo-canary")).Metadata.Annotations.TryGetValue(Prefix + "canary-by-header", out var h) && h == "x-user",
            "the canary Ingress matching x-user");
        var ab = (await IngressAsync(ns, "podinfo-canary")).Metadata.Annotations;
        Assert.Equal("insider", ab[Prefix + "canary-by-header-value"]);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image2, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", await ns.EventMessagesAsync("podinfo"));
        var after = (await IngressAsync(ns, "podinfo-canary")).Metadata.Annotations;
        Assert.False(after.ContainsKey(Prefix + "canary-by-header"));
        Assert.Equal("0", after[Prefix + "canary-weight"]);
        ns.Report("20 nginx canary and A/B");
    }

    [Fact]
    public async Task A_failed_release_reverted_to_the_primary_starts_no_run_fails_again_then_a_fixed_template_is_promoted()
    {
        var backend = environment.Backend;
        await backend.InstallProviderAsync("nginx", TestContext.Current.CancellationToken);
        var ns = await TestNamespace.CreateAsync(backend, "e2e-nginx-lifecycle");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(UserIngress(ns.Name));
        const string Analysis = """
                threshold: 2
                maxWeight: 40
                stepWeight: 20
                metrics:
                  # a window shorter than the pauses below, so a run is not judged on an earlier run's requests
                  - name: request-success-rate
                    thresholdRange:
                      min: 99
                    interval: 4s
            """;
        await ns.ApplyAsync(NginxCanary(ns.Name, backend, Analysis, path: "/status/500"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var goodTemplate = (await ns.DeploymentAsync("podinfo-primary")).Spec.Template.Metadata.Annotations?["flagger-id"];

        // A version answering errors (k3s: the load test hits /status/500) fails.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.5" }, TestNamespace.Image1);
        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);
        Assert.Equal(0, failed.Status!.CanaryWeight);
        Assert.Equal("0", (await IngressAsync(ns, "podinfo-canary")).Metadata.Annotations[Prefix + "canary-weight"]);
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains($"Rolling back podinfo.{ns.Name} failed checks threshold reached 2", warnings);
        Assert.Contains($"Canary failed! Scaling down podinfo.{ns.Name}", warnings);
        var runs = (await ns.EventMessagesAsync("podinfo")).Count(e => e.StartsWith("New revision detected", StringComparison.Ordinal));

        // upstream: setting the image back to the primary's starts no run; the primary is unchanged and the canary stays Failed.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = null }, TestNamespace.Image0);
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.Equal(CanaryPhase.Failed.ToString(), (await ns.CanaryAsync("podinfo"))!.Status!.Phase);
        }

        Assert.Equal(runs, (await ns.EventMessagesAsync("podinfo")).Count(e => e.StartsWith("New revision detected", StringComparison.Ordinal)));
        Assert.Equal(goodTemplate, (await ns.DeploymentAsync("podinfo-primary")).Spec.Template.Metadata.Annotations?["flagger-id"]);

        // The failing version again: Progressing, then Failed.
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = "0.5" }, TestNamespace.Image1);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Progressing);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed);

        // upstream: a healthy analysis and a pod-template annotation change retry and promote.
        await ns.ApplyAsync(NginxCanary(ns.Name, backend, Analysis.Replace("threshold: 2", "threshold: 10", StringComparison.Ordinal)));
        await ns.PatchTemplateAsync("podinfo", new Dictionary<string, string?> { ["simulator.flagger.app/error-rate"] = null, ["thisis"] = "theway" });
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Progressing);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal("theway", (await ns.DeploymentAsync("podinfo-primary")).Spec.Template.Metadata.Annotations["thisis"]);
        ns.Report("20 nginx lifecycle");
    }

    /// <summary>upstream's Ingress <c>podinfo</c> (class nginx, app.example.com/ → Service podinfo).</summary>
    internal static string UserIngress(string ns, string name = "podinfo", string ingressClass = "nginx", string service = "podinfo") => $"""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            app: podinfo
          annotations:
            kubernetes.io/ingress.class: "{ingressClass}"
        spec:
          rules:
          - host: "app.example.com"
            http:
              paths:
              - pathType: Prefix
                path: "/"
                backend:
                  service:
                    name: {service}
                    port:
                      number: 9898
        """;

    internal static Task<V1Ingress> IngressAsync(TestNamespace ns, string name) =>
        ns.Client.NetworkingV1.ReadNamespacedIngressAsync(name, ns.Name, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>
    /// The load upstream sends through the ingress controller (hey with <c>-host app.example.com</c>); none on the
    /// simulator, whose apex Service annotation sends the requests through the Ingresses.
    /// </summary>
    internal static string IngressLoad(IClusterBackend backend, string ns, string controllerUrl, string path = "/", string header = "") =>
        backend.TrafficWebhooks(ns, "podinfo", "      ").Length == 0 ? "" : $"""
              - name: load-test
                type: rollout
                url: {backend.LoadTesterUrl}
                timeout: 5s
                metadata:
                  type: cmd
                  cmd: "hey -z 1m -q 10 -c 2 {header}-host app.example.com {controllerUrl}{path}"

        """;

    private static string NginxCanary(string ns, IClusterBackend backend, string analysis, string headers = "", string path = "/")
    {
        var spec = Specs.Canary(ns, "podinfo", $"""
            {analysis}
                webhooks:
            {IngressLoad(backend, ns, "http://ingress-nginx-controller.ingress-nginx", path, headers.Length == 0 ? "" : $"-H 'x-user: insider' ")}      - name: noop
                    type: rollout
                    url: {backend.LoadTesterUrl}
                    timeout: 5s
                    metadata:
                      type: cmd
                      cmd: "true"
            """, extraSpec: """
              provider: nginx
              ingressRef:
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                name: podinfo
            """);
        return headers.Length == 0 ? spec : spec.Replace(Specs.Traffic, Specs.Traffic + $"\n        simulator.flagger.app/headers: \"{headers}\"", StringComparison.Ordinal);
    }
}
