using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Keptn metric provider (upstream pkg/metrics/providers/keptn.go) against the simulator's Keptn stand-in: a KeptnMetric
/// read from its status and a Keptn Analysis created per check. A release is promoted while the Analyses pass and
/// rolled back once they fail.
/// </summary>
public sealed class S14_KeptnProviderTests(E2EEnvironment environment)
{
    [Fact]
    public async Task A_release_is_promoted_on_passing_keptn_analyses_and_rolled_back_on_failing_ones()
    {
        if (environment.Backend is not SimulatedBackend simulated)
        {
            Assert.Skip("needs the simulator's Keptn stand-in (a real cluster would need Keptn installed)");
            return;
        }

        var ns = await TestNamespace.CreateAsync(simulated, "e2e-keptn");
        await ns.ApplyAsync(await File.ReadAllTextAsync(Path.Combine(Ports.RepositoryRoot, "deploy", "dev", "keptn-crds.yaml"), TestContext.Current.CancellationToken));
        var pass = true;
        simulated.Cluster.Keptn.Verdict = r => r.Namespace != ns.Name || (r.Definition == "podinfo-slo" && r.Args.GetValueOrDefault("workload") == "podinfo" && pass);
        await ns.ApplyAsync($$$"""
            apiVersion: metrics.keptn.sh/v1beta1
            kind: KeptnMetric
            metadata:
              name: podinfo-error-rate
              namespace: {{{ns.Name}}}
            spec:
              provider:
                name: prometheus
              query: sum(rate(istio_requests_total{response_code=~"5.."}[1m]))
              fetchIntervalSeconds: 10
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata:
              name: keptn-slo
              namespace: {{{ns.Name}}}
            spec:
              provider:
                type: keptn
              query: analysis/{{ namespace }}/podinfo-slo/1m/workload={{ target }}
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata:
              name: keptn-error-rate
              namespace: {{{ns.Name}}}
            spec:
              provider:
                type: keptn
              query: keptnmetric/{{ namespace }}/{{ target }}-error-rate
            """);
        simulated.Cluster.Keptn.SetMetricValue(ns.Name, "podinfo-error-rate", 0.01);
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 2
                maxWeight: 20
                stepWeight: 10
                metrics:
                  - name: slo
                    templateRef:
                      name: keptn-slo
                    thresholdRange:
                      min: 1
                    interval: 1m
                  - name: error-rate
                    templateRef:
                      name: keptn-error-rate
                    thresholdRange:
                      max: 0.05
                    interval: 1m
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded, timeoutSeconds: 120);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));

        pass = false;
        await ns.SetImageAsync("podinfo", TestNamespace.Image2);
        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed, timeoutSeconds: 120);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        var warnings = (await ns.EventsAsync("podinfo")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains($"Halt podinfo.{ns.Name} advancement slo 0.00 < 1", warnings);
        // every Analysis the provider created was deleted after its check
        var analyses = await ns.Client.CustomObjects.ListNamespacedCustomObjectAsync<System.Text.Json.JsonElement>(
            "metrics.keptn.sh", "v1beta1", ns.Name, "analyses", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, analyses.GetProperty("items").GetArrayLength());
        ns.Report("14 keptn provider");
    }
}
