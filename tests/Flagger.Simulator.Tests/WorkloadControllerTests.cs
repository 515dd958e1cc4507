using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests;

/// <summary>A cluster whose workload controller runs with a 50 ms delay.</summary>
public sealed class WorkloadFixture : SimFixture
{
    protected override SimulatorOptions Options => base.Options with { EnableWorkloadController = true, Nodes = 3 };
}

public sealed class WorkloadControllerTests(WorkloadFixture fx) : IClassFixture<WorkloadFixture>
{
    private readonly Kubernetes client = fx.Client;

    private Task<V1Deployment> RolledOutAsync(string name, string ns, long generation) => Expect.EventuallyAsync(
        () => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns),
        d => d.Status?.ObservedGeneration == generation);

    [Fact]
    public async Task A_deployment_reports_replicas_and_conditions_after_the_delay_like_the_real_controller()
    {
        var ns = await fx.NamespaceAsync("w");
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("web", replicas: 3), ns);
        Assert.Null(created.Status?.ObservedGeneration);

        var d = await RolledOutAsync("web", ns, 1);
        Assert.Equal(3, d.Status.Replicas);
        Assert.Equal(3, d.Status.UpdatedReplicas);
        Assert.Equal(3, d.Status.ReadyReplicas);
        Assert.Equal(3, d.Status.AvailableReplicas);
        var available = d.Status.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("True", "MinimumReplicasAvailable"), (available.Status, available.Reason));
        var progressing = d.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "NewReplicaSetAvailable"), (progressing.Status, progressing.Reason));

        d.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        await client.AppsV1.ReplaceNamespacedDeploymentAsync(d, "web", ns);
        d = await RolledOutAsync("web", ns, 2);
        Assert.Equal(3, d.Status.UpdatedReplicas);
    }

    [Fact]
    public async Task A_deployment_scaled_to_zero_stays_at_zero()
    {
        var ns = await fx.NamespaceAsync("w");
        await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("idle", replicas: 0), ns);
        var d = await RolledOutAsync("idle", ns, 1);
        Assert.Null(d.Status.Replicas);
        Assert.Null(d.Status.ReadyReplicas);
        Assert.Null(d.Status.AvailableReplicas);
        Assert.Equal("True", d.Status.Conditions.Single(c => c.Type == "Available").Status);
    }

    [Fact]
    public async Task A_template_marked_to_fail_never_becomes_ready_and_exceeds_its_progress_deadline()
    {
        var ns = await fx.NamespaceAsync("w");
        var healthy = await client.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("bad", replicas: 2), ns);
        await RolledOutAsync("bad", ns, 1);

        var patch = """{"spec":{"progressDeadlineSeconds":1,"template":{"metadata":{"annotations":{"simulator.flagger.app/fail-ready":"true"}},"spec":{"containers":[{"name":"app","image":"broken:0"}]}}}}""";
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "bad", ns);
        var progressingState = await RolledOutAsync("bad", ns, 2);
        Assert.Equal(2, progressingState.Status.UpdatedReplicas);
        Assert.Equal(2, progressingState.Status.ReadyReplicas);
        Assert.Equal(2, progressingState.Status.UnavailableReplicas);

        var failed = await Expect.EventuallyAsync(
            () => client.AppsV1.ReadNamespacedDeploymentAsync("bad", ns),
            d => d.Status.Conditions.Any(c => c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded"), timeoutMs: 8000);
        var condition = failed.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal("False", condition.Status);
        Assert.Contains("has timed out progressing", condition.Message);
        Assert.NotNull(healthy);
    }

    [Fact]
    public async Task A_new_deployment_marked_to_fail_has_no_ready_replicas()
    {
        var ns = await fx.NamespaceAsync("w");
        var d = Expect.Deployment("never", replicas: 2, templateAnnotations: new Dictionary<string, string> { ["simulator.flagger.app/fail-ready"] = "true" });
        await client.AppsV1.CreateNamespacedDeploymentAsync(d, ns);
        var status = (await RolledOutAsync("never", ns, 1)).Status;
        Assert.Null(status.ReadyReplicas);
        Assert.Equal(2, status.UpdatedReplicas);
        Assert.Equal("False", status.Conditions.Single(c => c.Type == "Available").Status);
    }

    [Fact]
    public async Task A_daemonset_reports_one_pod_per_simulated_node()
    {
        var ns = await fx.NamespaceAsync("w");
        var template = Expect.Deployment("agent").Spec.Template;
        await client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent" },
            Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } }, Template = template },
        }, ns);
        var ds = await Expect.EventuallyAsync(() => client.AppsV1.ReadNamespacedDaemonSetAsync("agent", ns), d => d.Status?.ObservedGeneration == 1);
        Assert.Equal(3, ds.Status.DesiredNumberScheduled);
        Assert.Equal(3, ds.Status.NumberReady);
        Assert.Equal(3, ds.Status.UpdatedNumberScheduled);
        Assert.Null(ds.Status.NumberUnavailable);
    }
}
