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
    public void A_keda_scaled_object_autoscaler_is_rejected_as_not_supported_yet()
    {
        var canary = Canary(configure: s => s.AutoscalerRef = new AutoscalerReference { ApiVersion = "keda.sh/v1alpha1", Kind = "ScaledObject", Name = "podinfo" });

        var e = Assert.Throws<WorkloadException>(() => Factory(new InMemoryKube()).Factory.Create(canary));

        Assert.Equal("invalid canary podinfo.default: spec.autoscalerRef.kind ScaledObject (KEDA) is not supported yet, use HorizontalPodAutoscaler", e.Message);
    }

    [Fact]
    public void An_unknown_target_kind_is_an_error_not_a_deployment_fallback()
    {
        var e = Assert.Throws<WorkloadException>(() => Factory(new InMemoryKube()).Factory.Create(Canary("StatefulSet")));

        Assert.Equal("invalid canary podinfo.default: spec.targetRef.kind 'StatefulSet' is not supported, use Deployment, DaemonSet or Service", e.Message);
    }

    [Fact]
    public void A_knative_service_target_is_rejected_as_not_supported_yet()
    {
        var canary = Canary("Service");
        canary.Spec.TargetRef!.ApiVersion = "serving.knative.dev/v1";

        var e = Assert.Throws<WorkloadException>(() => Factory(new InMemoryKube()).Factory.Create(canary));

        Assert.Contains("Knative Service (serving.knative.dev/v1) is not supported yet", e.Message, StringComparison.Ordinal);
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
