using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>Scenario 7 (upstream test/istio/test-canary.sh revert and takeover parts): revertOnDeletion.</summary>
public sealed class S07_RevertOnDeletionTests(E2EEnvironment environment)
{
    [Fact]
    public async Task Deleting_a_canary_with_revertOnDeletion_removes_the_finalizer_and_scales_the_target_back_up()
    {
        var ns = await TestNamespace.CreateAsync(environment.Backend, "e2e-revert");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", "    threshold: 5\n    iterations: 5", extraSpec: "  revertOnDeletion: true"));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var initialized = await ns.WaitForCanaryAsync("podinfo", c => c.Metadata.Finalizers?.Contains("finalizer.flagger.app") == true, "the finalizer");
        Assert.Contains("finalizer.flagger.app", initialized.Metadata.Finalizers!);
        await ns.WaitUntilAsync(async () => (await ns.DeploymentAsync("podinfo")).Spec.Replicas == 0, "the target scaled to zero");

        await ns.DeleteCanaryAsync("podinfo");

        await ns.WaitUntilAsync(async () => await ns.CanaryAsync("podinfo") is null, "the canary's removal");
        var target = await ns.DeploymentAsync("podinfo");
        Assert.Equal(1, target.Spec.Replicas);
        Assert.Equal(TestNamespace.Image0, target.Spec.Template.Spec.Containers[0].Image);
        ns.Report("7a revertOnDeletion");
    }

    [Fact]
    public async Task A_pre_existing_service_and_virtual_service_are_taken_over_and_survive_the_canary_deletion()
    {
        var ns = await TestNamespace.CreateAsync(environment.Backend, "e2e-takeover");
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync($"""
            apiVersion: v1
            kind: Service
            metadata:
              name: podinfo
              namespace: {ns.Name}
            spec:
              selector:
                app: podinfo
              ports:
                - name: http
                  port: 9898
                  targetPort: 9898
            ---
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata:
              name: podinfo
              namespace: {ns.Name}
            spec:
              hosts:
                - podinfo
                - app.example.com
              http:
                - route:
                    - destination:
                        host: podinfo
                  retries:
                    attempts: 3
                    perTryTimeout: 1s
            """);
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", "    threshold: 5\n    iterations: 5", extraSpec: "  revertOnDeletion: true", service: """
                hosts:
                  - podinfo
                  - app.example.com
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        var apex = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name);
        Assert.Equal("podinfo-primary", apex.Spec.Selector["app"]);
        var takenOver = (await ns.VirtualServiceAsync("podinfo"))!;
        Assert.Equal(["podinfo-primary:100", "podinfo-canary:0"],
            takenOver["spec"]!["http"]![0]!["route"]!.AsArray().Select(r => $"{r!["destination"]!["host"]}:{r["weight"]}"));

        await ns.DeleteCanaryAsync("podinfo");

        await ns.WaitUntilAsync(async () => await ns.CanaryAsync("podinfo") is null, "the canary's removal");
        var service = await ns.Client.CoreV1.ReadNamespacedServiceAsync("podinfo", ns.Name);
        Assert.Equal("podinfo", service.Spec.Selector["app"]);
        var vs = await ns.VirtualServiceAsync("podinfo");
        Assert.NotNull(vs);
        Assert.Equal(["podinfo", "app.example.com"], vs["spec"]!["hosts"]!.AsArray().Select(h => h!.GetValue<string>()));
        Assert.Equal("podinfo", vs["spec"]!["http"]![0]!["route"]![0]!["destination"]!["host"]!.GetValue<string>());
        Assert.Equal(3, vs["spec"]!["http"]![0]!["retries"]!["attempts"]!.GetValue<int>());
        Assert.Equal(1, (await ns.DeploymentAsync("podinfo")).Spec.Replicas);
        ns.Report("7b takeover");
    }
}
