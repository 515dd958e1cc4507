using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 3 (upstream test/istio/test-canary.sh, blue/green part): iterations with pre-rollout and rollout hooks.</summary>
public sealed class S03_BlueGreenTests(E2EEnvironment environment)
{
    [Fact]
    public async Task Blue_green_runs_its_iterations_through_loadtester_hooks_without_shifting_weight_then_promotes()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-bluegreen");
        var marker = Path.Combine(Path.GetTempPath(), $"flagger-e2e-pre-rollout-{Guid.NewGuid():N}");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", $"""
                threshold: 5
                iterations: 3
                webhooks:
            {backend.TrafficWebhooks(ns.Name, "podinfo", "      ")}      - name: smoke-test
                    type: pre-rollout
                    url: {backend.LoadTesterUrl}
                    timeout: 15s
                    metadata:
                      type: bash
                      cmd: "echo token > {(backend.Name == "simulated" ? marker : "/dev/null")}"
                  - name: load-test
                    type: rollout
                    url: {backend.LoadTesterUrl}
                    timeout: 5s
                    metadata:
                      type: cmd
                      cmd: "true"
            """, service: """
                targetPort: 9898
                portName: http-podinfo
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image2);

        var progressing = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Progressing);
        var succeeded = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image2, await ns.ImageOfAsync("podinfo-primary"));
        var events = await ns.EventMessagesAsync("podinfo");
        Assert.Contains($"Pre-rollout check smoke-test passed", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 1/3", events);
        Assert.Contains($"Advance podinfo.{ns.Name} canary iteration 3/3", events);
        Assert.DoesNotContain(events, e => e.Contains("canary weight", StringComparison.Ordinal));
        if (backend.Name == "simulated")
        {
            Assert.Equal("token", (await File.ReadAllTextAsync(marker)).Trim());
            File.Delete(marker);
        }

        var routes = (await ns.VirtualServiceAsync("podinfo"))!["spec"]!["http"]![0]!["route"]!.AsArray();
        Assert.Equal([100, 0], routes.Select(r => r!["weight"]?.GetValue<int>() ?? 0));
        Assert.Equal(0, progressing.Status!.CanaryWeight ?? 0);
        Assert.Equal(0, succeeded.Status!.Iterations ?? 0);
        ns.Report("3 blue/green");
    }
}
