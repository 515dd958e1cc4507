using Flagger.Modules.Shared;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads;
using Flagger.Modules.Workloads.Contracts;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Workloads;

public sealed class WorkloadsModuleTests
{
    [Fact]
    public async Task The_module_registers_a_factory_whose_options_bind_from_configuration_without_appending_defaults()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workloads:SelectorLabels:0"] = "name",
            ["Workloads:EnableConfigTracking"] = "false",
        });
        var kube = new InMemoryKube();
        var deployment = Deployment();
        deployment.Spec.Selector.MatchLabels["name"] = "podinfo-by-name";
        kube.Seed(deployment);
        builder.Services.AddSingleton<IKubeCache>(kube);
        builder.Services.AddSingleton<IKubeWriter>(kube);
        builder.AddSharedModule();
        builder.AddWorkloadsModule();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<WorkloadOptions>>().Value;
        var factory = host.Services.GetRequiredService<ITargetControllerFactory>();
        var metadata = await factory.Create(Canary()).GetMetadataAsync(Canary(), CancellationToken.None);

        Assert.Equal(["name"], options.EffectiveSelectorLabels);
        Assert.False(options.EnableConfigTracking);
        Assert.Equal(("name", "podinfo-by-name"), (metadata.Label, metadata.LabelValue));
    }

    [Fact]
    public async Task Controller_operations_never_mutate_objects_held_by_the_cache()
    {
        var kube = new InMemoryKube();
        kube.Seed(Deployment());
        SeedConfigs(kube);
        kube.Seed(DeploymentControllerTests.Hpa());
        var canary = Canary(configure: s => s.AutoscalerRef = new AutoscalerReference { Kind = "HorizontalPodAutoscaler", Name = "podinfo" });
        var controller = Factory(kube).Factory.Create(canary);
        var target = kube.Get<V1Deployment>(Ns, "podinfo")!;
        var before = Flagger.Modules.Workloads.Transforms.KubeObjects.CanonicalJson(target);

        await controller.InitializeAsync(canary, CancellationToken.None);
        await controller.ReconcilePrimaryScalerAsync(canary, true, CancellationToken.None);
        await controller.PromoteAsync(canary, CancellationToken.None);
        await controller.GetTargetRevisionAsync(canary, CancellationToken.None);
        await controller.GetTrackedConfigsAsync(canary, CancellationToken.None);

        Assert.Equal(before, Flagger.Modules.Workloads.Transforms.KubeObjects.CanonicalJson(target));
    }
}
