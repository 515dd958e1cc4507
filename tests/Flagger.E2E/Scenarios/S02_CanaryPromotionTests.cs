using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 2 (upstream test/istio/test-canary.sh): stepped Istio promotion gated by a builtin metric and a MetricTemplate.</summary>
public sealed class S02_CanaryPromotionTests(E2EEnvironment environment)
{
    [Fact]
    public async Task Traffic_shifts_by_step_weight_to_max_weight_while_both_metrics_pass_then_the_new_image_is_promoted()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-promote");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync($$$"""
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata:
              name: latency
              namespace: {{{ns.Name}}}
            spec:
              provider:
                type: prometheus
                address: {{{backend.PrometheusUrl}}}
              query: |
                histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="{{ variables.reporter }}",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))
            """);
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 10
                maxWeight: 30
                stepWeight: 10
                metrics:
                  - name: request-success-rate
                    thresholdRange:
                      min: 99
                    interval: 30s
                  - name: latency
                    templateRef:
                      name: latency
                      namespace: {ns.Name}
                    thresholdRange:
                      max: 500
                    interval: 30s
                    templateVariables:
                      reporter: destination
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: acceptance
                    type: rollout
                    url: {backend.LoadTesterUrl}
                    timeout: 5s
                    metadata:
                      type: cmd
                      cmd: "true"
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);

        await ns.WaitForCanaryAsync("podinfo", c => c.Status?.CanaryWeight == 30, "canary weight 30");
        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"New revision detected! Scaling up podinfo.{ns.Name}", events);
        Assert.Contains($"Starting canary analysis for podinfo.{ns.Name}", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 10", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 20", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary weight 30", events);
        Assert.Contains($"Copying podinfo.{ns.Name} template spec to podinfo-primary.{ns.Name}", events);
        Assert.Contains("Promotion completed! Scaling down podinfo." + ns.Name, events);
        // Prometheus needs two scrapes of the new version before a rate exists: "no values found" may halt a step, a
        // threshold breach may not.
        Assert.DoesNotContain(events, e => e.StartsWith("Halt", StringComparison.Ordinal) && !e.Contains("no values found", StringComparison.Ordinal));
        var routes = (await ns.VirtualServiceAsync("podinfo"))!["spec"]!["http"]![0]!["route"]!.AsArray();
        Assert.Equal([100, 0], routes.Select(r => r!["weight"]?.GetValue<int>() ?? 0));
        Assert.Equal(0, succeeded.Status!.CanaryWeight);
        Assert.Contains(backend.Alerts.Bodies, b => b.Contains($"podinfo.{ns.Name}", StringComparison.Ordinal) && b.Contains("promotion finished", StringComparison.Ordinal));
        ns.Report("2 canary promotion");
    }
}
