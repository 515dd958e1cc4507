using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Rollout.Reconciler;

public sealed class CanaryReconcilerTests
{
    private static ReconcilerHarness Start(Canary canary, string meshProvider = "kubernetes")
    {
        var harness = new ReconcilerHarness(meshProvider);
        harness.Kube.Seed(Deployment());
        SeedConfigs(harness.Kube);
        harness.Kube.Seed(canary);
        return harness;
    }

    private static async Task<List<string>> StepUntilAsync(ReconcilerHarness harness, Canary canary, CanaryPhase phase, int maxSteps = 20)
    {
        var steps = new List<string>();
        for (var i = 0; i < maxSteps && harness.Get(canary).Status?.Phase != phase.ToString(); i++)
        {
            harness.MarkDeploymentsReady();
            var (created, writes) = await harness.StepAsync(canary);
            steps.Add($"{harness.Get(canary).Status?.Phase}: {created}, {writes} writes");
            Assert.True(
                created is { TargetControllers: <= 1, TrafficRouters: <= 1, ServiceRouters: <= 1 },
                $"step {i + 1} created {created}; steps so far:\n{string.Join('\n', steps)}");
        }

        Assert.Equal(phase.ToString(), harness.Get(canary).Status?.Phase);
        return steps;
    }

    private static void Update(ReconcilerHarness harness, Canary canary, Action<Canary> change)
    {
        var current = KubernetesJson.Deserialize<Canary>(KubernetesJson.Serialize(harness.Get(canary)));
        change(current);
        current.Metadata.Generation = (current.Metadata.Generation ?? 1) + 1;
        harness.Kube.Seed(current);
    }

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("istio")]
    public async Task Every_step_of_a_release_creates_the_target_controller_and_each_router_at_most_once(string provider)
    {
        var canary = provider == "istio" ? ReconcilerHarness.IstioCanary() : ReconcilerHarness.BlueGreenCanary();
        using var harness = Start(canary, provider);

        var steps = await StepUntilAsync(harness, canary, CanaryPhase.Initialized);
        var target = Deployment();
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        target.Metadata.Generation = 2;
        harness.Kube.Seed(target);
        steps.AddRange(await StepUntilAsync(harness, canary, CanaryPhase.Succeeded));

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', steps));
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", harness.Kube.Get<V1Deployment>(Ns, "podinfo-primary")!.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task A_progressing_istio_step_writes_the_routes_and_the_status_once_each()
    {
        var canary = ReconcilerHarness.IstioCanary();
        using var harness = Start(canary, "istio");
        await StepUntilAsync(harness, canary, CanaryPhase.Initialized);
        var target = Deployment();
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        target.Metadata.Generation = 2;
        harness.Kube.Seed(target);
        await StepUntilAsync(harness, canary, CanaryPhase.Progressing);
        await harness.StepAsync(canary); // weight 10, with the "Starting canary analysis" event

        var before = harness.Kube.Writes.Count;
        var events = harness.Events.Recorded.Count;
        await harness.StepAsync(canary);

        Assert.Equal(["update VirtualService podinfo", "update-status Canary podinfo"], harness.Kube.Writes.Skip(before).Select(w => $"{w.Verb} {w.Kind} {w.Name}"));
        Assert.Equal(20, harness.Get(canary).Status!.CanaryWeight);
        Assert.Equal("Advance podinfo.default canary weight 20", Assert.Single(harness.Events.Recorded.Skip(events)).Message);
    }

    [Fact]
    public async Task Every_step_awaits_the_watches_of_its_provider_before_creating_its_router()
    {
        var canary = ReconcilerHarness.IstioCanary();
        using var harness = Start(canary, meshProvider: "kubernetes");

        var (created, _) = await harness.StepAsync(canary);

        Assert.Equal([("istio", 0)], harness.EnsuredWatches);
        Assert.True(created.TrafficRouters > 0);
    }

    [Fact]
    public async Task A_canary_being_deleted_awaits_its_providers_watches_before_finalizing()
    {
        var canary = ReconcilerHarness.IstioCanary();
        canary.Spec.RevertOnDeletion = true;
        using var harness = Start(canary, meshProvider: "kubernetes");
        await StepUntilAsync(harness, canary, CanaryPhase.Initialized);
        Update(harness, canary, c => c.Metadata.DeletionTimestamp = harness.Time.GetUtcNow().UtcDateTime);
        harness.EnsuredWatches.Clear();

        var (created, _) = await harness.StepAsync(canary, StepTrigger.Wake);

        Assert.Equal([("istio", 0)], harness.EnsuredWatches);
        Assert.True(created.TrafficRouters > 0);
    }

    [Fact]
    public async Task An_invalid_spec_gets_a_warning_every_step_and_the_validated_condition_once_without_touching_workloads()
    {
        var canary = ReconcilerHarness.BlueGreenCanary(s => s.Analysis!.StepWeights = [10, 30, 20]);
        using var harness = Start(canary);

        var (created, writes) = await harness.StepAsync(canary);
        var validated = Assert.Single(harness.Get(canary).Status!.Conditions!, c => c.Type == "Validated");
        Assert.Equal(("False", "InvalidSpec"), (validated.Status, validated.Reason));
        Assert.Contains("spec.analysis.stepWeights", validated.Message, StringComparison.Ordinal);
        Assert.Equal(["update-status Canary"], harness.Kube.Writes.Select(w => $"{w.Verb} {w.Kind}"));
        Assert.Equal((0, 0, 0, 1), (created.TargetControllers, created.TrafficRouters, created.ServiceRouters, writes));

        (_, writes) = await harness.StepAsync(canary);
        Assert.Equal(0, writes);
        var warnings = harness.Events.Recorded.Where(e => e.Type == "Warning").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal($"invalid canary spec: {validated.Message}", w.Message));
        Assert.Null(harness.Kube.Get<V1Deployment>(Ns, "podinfo-primary"));
    }

    [Fact]
    public async Task A_fixed_spec_loses_the_validated_condition_in_the_status_write_of_its_first_valid_step()
    {
        var canary = ReconcilerHarness.BlueGreenCanary(s => s.Analysis!.StepWeights = [10, 30, 20]);
        using var harness = Start(canary);
        await harness.StepAsync(canary);

        Update(harness, canary, c => c.Spec.Analysis!.StepWeights = null);
        var writesBefore = harness.Kube.Writes.Count;
        await harness.StepAsync(canary, StepTrigger.Wake);

        var status = harness.Get(canary).Status!;
        Assert.DoesNotContain(status.Conditions!, c => c.Type == "Validated");
        Assert.Equal("Initializing", status.Phase);
        Assert.Single(harness.Kube.Writes.Skip(writesBefore), w => w.Verb == "update-status");
    }

    [Fact]
    public async Task A_fixed_spec_of_an_initialized_canary_woken_without_a_new_revision_costs_one_status_write()
    {
        var canary = ReconcilerHarness.BlueGreenCanary();
        using var harness = Start(canary);
        await StepUntilAsync(harness, canary, CanaryPhase.Initialized);
        Update(harness, canary, c => c.Spec.Analysis!.StepWeights = [10, 30, 20]);
        await harness.StepAsync(canary, StepTrigger.Wake);
        Assert.Contains(harness.Get(canary).Status!.Conditions!, c => c.Type == "Validated");

        Update(harness, canary, c => c.Spec.Analysis!.StepWeights = null);
        var (_, writes) = await harness.StepAsync(canary, StepTrigger.Wake);

        var status = harness.Get(canary).Status!;
        Assert.Equal((1, "Initialized"), (writes, status.Phase));
        Assert.DoesNotContain(status.Conditions!, c => c.Type == "Validated");
    }
}
