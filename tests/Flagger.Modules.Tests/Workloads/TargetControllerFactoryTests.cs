using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads.Contracts;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads;

public sealed class TargetControllerFactoryTests
{
    [Theory]
    [InlineData("Deployment")]
    [InlineData("DaemonSet")]
    [InlineData("Service")]
    public void Each_supported_target_kind_gets_its_controller(string kind) =>
        Assert.Equal(kind, Factory(new InMemoryKube()).Factory.Create(Canary(kind)).Kind);

    [Fact]
    public async Task A_keda_scaled_object_autoscaler_gets_the_scaled_object_scaler()
    {
        var kube = new InMemoryKube();
        kube.Seed(new Flagger.Modules.Workloads.Keda.ScaledObject { Metadata = new k8s.Models.V1ObjectMeta { Name = "podinfo-so", NamespaceProperty = "default" } });
        var canary = Canary(configure: s => s.AutoscalerRef = new AutoscalerReference { ApiVersion = "keda.sh/v1alpha1", Kind = "ScaledObject", Name = "podinfo-so" });

        var controller = Factory(kube).Factory.Create(canary);
        await controller.PauseTargetScalerAsync(canary, TestContext.Current.CancellationToken);

        Assert.Equal("Deployment", controller.Kind);
        Assert.Equal("0", kube.Get<Flagger.Modules.Workloads.Keda.ScaledObject>("default", "podinfo-so")!.Metadata.Annotations["autoscaling.keda.sh/paused-replicas"]);
    }

    [Fact]
    public void An_unknown_target_kind_is_an_error_not_a_deployment_fallback()
    {
        var e = Assert.Throws<WorkloadException>(() => Factory(new InMemoryKube()).Factory.Create(Canary("StatefulSet")));

        Assert.Equal("invalid canary podinfo.default: spec.targetRef.kind 'StatefulSet' is not supported, use Deployment, DaemonSet or Service", e.Message);
    }

    [Fact]
    public void A_knative_service_target_gets_the_knative_controller_without_a_primary_workload()
    {
        var canary = Canary("Service");
        canary.Spec.TargetRef!.ApiVersion = "serving.knative.dev/v1";

        var controller = Factory(new InMemoryKube()).Factory.Create(canary);

        Assert.IsType<Flagger.Modules.Workloads.Knative.KnativeTargetController>(controller);
    }

    [Fact]
    public void A_missing_target_name_is_an_error_naming_the_field()
    {
        var canary = Canary();
        canary.Spec.TargetRef!.Name = null;

        var e = Assert.Throws<WorkloadException>(() => Factory(new InMemoryKube()).Factory.Create(canary));

        Assert.Equal("invalid canary podinfo.default: spec.targetRef.name is required", e.Message);
    }
}
