using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads;

public sealed class ServiceControllerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static V1Service Target() => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = "podinfo",
            NamespaceProperty = Ns,
            Labels = new Dictionary<string, string> { ["app"] = "podinfo", ["team"] = "a" },
            Annotations = new Dictionary<string, string>
            {
                ["kubectl.kubernetes.io/last-applied-configuration"] = "{}",
                ["team.io/owner"] = "a",
            },
        },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = "10.0.0.10",
            ClusterIPs = ["10.0.0.10"],
            Selector = new Dictionary<string, string> { ["app"] = "podinfo-v2" },
            Ports = [new V1ServicePort { Name = "http", Port = 9898, Protocol = "TCP", TargetPort = 9898 }],
        },
    };

    private static (InMemoryKube Kube, ITargetController Controller, Canary Canary) Setup(WorkloadOptions? options = null)
    {
        var kube = new InMemoryKube();
        kube.Seed(Target());
        var canary = Canary("Service", configure: s => s.Service!.TrafficDistribution = "PreferClose");
        return (kube, Factory(kube, options).Factory.Create(canary), canary);
    }

    [Fact]
    public async Task IsScaledToZero_is_false_for_a_service_target_even_after_scale_to_zero()
    {
        var (kube, controller, canary) = Setup();

        await controller.ScaleToZeroAsync(canary, Ct);

        Assert.False(await controller.IsScaledToZeroAsync(canary, Ct));
        Assert.Empty(kube.Writes);
    }

    [Fact]
    public async Task Initialize_creates_canary_and_primary_copies_owned_by_the_canary()
    {
        var (kube, controller, canary) = Setup();

        var readiness = await controller.InitializeAsync(canary, Ct);

        Assert.Equal(Readiness.Ready, readiness);
        Assert.Equal(["create V1Service podinfo-canary", "create V1Service podinfo-primary"], kube.Writes.Select(w => $"{w.Verb} {w.Kind} {w.Name}"));
        foreach (var name in new[] { "podinfo-canary", "podinfo-primary" })
        {
            var copy = kube.Get<V1Service>(Ns, name)!;
            Assert.Null(copy.Spec.ClusterIP);
            Assert.Null(copy.Spec.ClusterIPs);
            Assert.Equal("PreferClose", copy.Spec.TrafficDistribution);
            Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo-v2" }, copy.Spec.Selector);
            Assert.Equal(new Dictionary<string, string> { ["team.io/owner"] = "a" }, copy.Metadata.Annotations);
            Assert.Equal(new Dictionary<string, string> { ["app"] = "podinfo", ["team"] = "a" }, copy.Metadata.Labels);
            Assert.Equal("canary-uid-1", Assert.Single(copy.Metadata.OwnerReferences).Uid);
        }
    }

    [Fact]
    public async Task Initialize_updates_only_the_canary_copy_and_writes_nothing_when_unchanged()
    {
        var (kube, controller, canary) = Setup();
        await controller.InitializeAsync(canary, Ct);
        AllocateClusterIp(kube, "podinfo-canary", "10.0.0.11");
        var writes = kube.Writes.Count;
        await controller.InitializeAsync(canary, Ct);
        Assert.Equal(writes, kube.Writes.Count);

        var target = KubeObjects.Clone(kube.Get<V1Service>(Ns, "podinfo")!);
        target.Spec.Selector["app"] = "podinfo-v3";
        kube.Seed(target);
        await controller.InitializeAsync(canary, Ct);

        Assert.Equal(["update V1Service podinfo-canary"], kube.Writes.Skip(writes).Select(w => $"{w.Verb} {w.Kind} {w.Name}"));
        var canaryCopy = kube.Get<V1Service>(Ns, "podinfo-canary")!;
        Assert.Equal("podinfo-v3", canaryCopy.Spec.Selector["app"]);
        Assert.Equal("10.0.0.11", canaryCopy.Spec.ClusterIP);
        Assert.Equal("podinfo-v2", kube.Get<V1Service>(Ns, "podinfo-primary")!.Spec.Selector["app"]);
    }

    [Fact]
    public async Task Promote_copies_the_target_spec_and_filtered_metadata_keeping_the_primary_cluster_ip()
    {
        var (kube, controller, canary) = Setup(new WorkloadOptions { IncludeLabelPrefix = ["team"] });
        await controller.InitializeAsync(canary, Ct);
        AllocateClusterIp(kube, "podinfo-primary", "10.0.0.12");
        var target = KubeObjects.Clone(kube.Get<V1Service>(Ns, "podinfo")!);
        target.Spec.Selector["app"] = "podinfo-v3";
        kube.Seed(target);

        await controller.PromoteAsync(canary, Ct);
        var writes = kube.Writes.Count;
        await controller.PromoteAsync(canary, Ct);

        var primary = kube.Get<V1Service>(Ns, "podinfo-primary")!;
        Assert.Equal("podinfo-v3", primary.Spec.Selector["app"]);
        Assert.Equal("10.0.0.12", primary.Spec.ClusterIP);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a" }, primary.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["team.io/owner"] = "a" }, primary.Metadata.Annotations);
        Assert.Equal("canary-uid-1", Assert.Single(primary.Metadata.OwnerReferences).Uid);
        Assert.Equal(writes, kube.Writes.Count);
    }

    [Fact]
    public async Task Service_targets_are_always_ready_never_scaled_and_hash_their_spec()
    {
        var (kube, controller, canary) = Setup();

        Assert.Equal(Readiness.Ready, await controller.IsPrimaryReadyAsync(canary, Ct));
        Assert.Equal(Readiness.Ready, await controller.IsCanaryReadyAsync(canary, Ct));
        await controller.ScaleToZeroAsync(canary, Ct);
        await controller.ScaleFromZeroAsync(canary, Ct);
        await controller.FinalizeAsync(canary, Ct);
        Assert.Empty(kube.Writes);
        Assert.Null(await controller.GetTrackedConfigsAsync(canary, Ct));
        Assert.Equal(new TargetMetadata("", "", new Dictionary<string, int>()).Label, (await controller.GetMetadataAsync(canary, Ct)).Label);

        var before = await controller.GetTargetRevisionAsync(canary, Ct);
        var target = KubeObjects.Clone(kube.Get<V1Service>(Ns, "podinfo")!);
        target.Spec.Ports[0].Port = 8080;
        kube.Seed(target);
        Assert.NotEqual(before, await controller.GetTargetRevisionAsync(canary, Ct));
    }

    private static void AllocateClusterIp(InMemoryKube kube, string name, string ip)
    {
        var service = KubeObjects.Clone(kube.Get<V1Service>(Ns, name)!);
        service.Spec.ClusterIP = ip;
        service.Spec.ClusterIPs = [ip];
        kube.Seed(service);
    }
}
