using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing;

public sealed class RoutingFactoryTests
{
    [Theory]
    [InlineData("istio", null, typeof(IstioRouter))]
    [InlineData(null, "istio", typeof(IstioRouter))]
    [InlineData("kubernetes", "istio", typeof(KubernetesNopRouter))]
    [InlineData(null, "kubernetes", typeof(KubernetesNopRouter))]
    [InlineData("none", null, typeof(KubernetesNopRouter))]
    public void The_provider_comes_from_the_canary_or_else_the_global_mesh_provider(string? provider, string? meshProvider, Type expected)
    {
        var factory = Factory(meshProvider);

        var router = factory.TrafficRouter(Canary(c => c.Spec.Provider = provider));

        Assert.IsType(expected, router);
    }

    [Theory]
    [InlineData("linkerd")]
    [InlineData("gatewayapi:v1")]
    [InlineData("smi:v1alpha3:istio")]
    [InlineData("nginx")]
    public void Providers_not_ported_yet_are_a_clear_error_not_istio(string provider)
    {
        var error = Assert.Throws<RoutingException>(() => Factory(null).TrafficRouter(Canary(c => c.Spec.Provider = provider)));

        Assert.StartsWith($"provider \"{provider}\" is not supported yet; supported providers are istio, knative and kubernetes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_is_a_clear_error_not_istio()
    {
        var error = Assert.Throws<RoutingException>(() => Factory("istoi").TrafficRouter(Canary()));

        Assert.Equal("unknown provider \"istoi\"; supported providers are istio, knative and kubernetes " +
            "(spec.provider of canary podinfo.test, or the global mesh provider)", error.Message);
    }

    [Fact]
    public void Service_targets_get_the_noop_service_router_and_workloads_the_kubernetes_one()
    {
        var factory = Factory(null);

        Assert.IsType<NoopServiceRouter>(factory.ServiceRouter(Canary(c => c.Spec.TargetRef!.Kind = "Service")));
        Assert.IsType<KubernetesServiceRouter>(factory.ServiceRouter(Canary()));
        Assert.IsType<KubernetesServiceRouter>(factory.ServiceRouter(Canary(c => c.Spec.TargetRef!.Kind = "DaemonSet")));
    }

    [Fact]
    public void AddRoutingModule_binds_the_routing_section_and_resolves_the_factory()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["Routing:MeshProvider"] = "kubernetes";
        var kube = new InMemoryKube();
        builder.Services.AddSingleton<IKubeCache>(kube);
        builder.Services.AddSingleton<IKubeWriter>(kube);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddRoutingModule();
        using var host = builder.Build();

        var factory = host.Services.GetRequiredService<IRoutingFactory>();

        Assert.Equal("kubernetes", factory.ProviderOf(Canary()));
        Assert.IsType<KubernetesNopRouter>(factory.TrafficRouter(Canary()));
        Assert.IsType<IstioRouter>(factory.TrafficRouter(Canary(c => c.Spec.Provider = "istio")));
    }

    [Fact]
    public void Every_registered_router_names_a_catalog_row_or_upstreams_none()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddTrafficRouter<KubernetesNopRouter>("istoi"));

        Assert.StartsWith("routing provider \"istoi\" is not in the provider catalog", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gatewayapi")]
    [InlineData("smi")]
    [InlineData("smi:v1alpha1:mesh")]
    [InlineData("smi:v9")]
    [InlineData("gloo:gloo-system")]
    [InlineData("appmesh:v1beta2")]
    public void Upstream_spellings_without_a_router_stay_not_supported_yet(string provider)
    {
        var error = Assert.Throws<RoutingException>(() => Factory(provider).TrafficRouter(Canary()));

        Assert.Equal($"provider \"{provider}\" is not supported yet; supported providers are istio, knative and kubernetes " +
            "(spec.provider of canary podinfo.test, or the global mesh provider)", error.Message);
    }

    [Theory]
    [InlineData("istio:v1")]
    [InlineData("Istio")]
    public void Near_misses_of_implemented_providers_stay_unknown(string provider)
    {
        var error = Assert.Throws<RoutingException>(() => Factory(null).TrafficRouter(Canary(c => c.Spec.Provider = provider)));

        Assert.StartsWith($"unknown provider \"{provider}\"", error.Message, StringComparison.Ordinal);
    }

    private static IRoutingFactory Factory(string? meshProvider) => RoutingHost(meshProvider).GetRequiredService<IRoutingFactory>();
}
