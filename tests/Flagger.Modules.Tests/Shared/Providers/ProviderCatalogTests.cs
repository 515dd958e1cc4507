using Flagger.Modules.Analysis.Observers;
using Flagger.Modules.Shared.Providers;
using Flagger.Modules.Tests.Fixtures;

namespace Flagger.Modules.Tests.Shared.Providers;

public sealed class ProviderCatalogTests
{
    [Fact]
    public void The_catalog_names_exactly_the_providers_of_our_crds_enum_in_its_order()
    {
        var crd = Yaml.ReadDocuments(File.ReadAllText(Path.Combine(RepoPaths.Crds, "canaries.yaml"))).Single().Json!;
        var provider = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["provider"]!;

        Assert.Equal(provider["enum"]!.AsArray().Select(v => (string)v!), ProviderCatalog.Names);
    }

    [Theory]
    [InlineData("istio", "istio")]
    [InlineData("smi:v1alpha3", "smi:v1alpha3")]
    [InlineData("smi:v1alpha2:linkerd", "smi:v1alpha2")]
    [InlineData("smi:v1alpha9:linkerd", null)]
    [InlineData("smi:v1alpha2:", null)]
    [InlineData("smi", null)]
    [InlineData("gatewayapi", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Find_knows_upstreams_names_and_the_smi_mesh_form(string? provider, string? row) =>
        Assert.Equal(row, ProviderCatalog.Find(provider)?.Name);

    [Fact]
    public void Only_the_kubernetes_provider_is_blue_green_only_and_only_app_mesh_needs_routes_first()
    {
        Assert.Equal(["kubernetes"], ProviderCatalog.Routers.Where(r => !r.ProgressiveTraffic).Select(r => r.Name));
        Assert.Equal(["appmesh", "appmesh:v1beta2"], ProviderCatalog.Routers.Where(r => r.RoutesBeforePrimary).Select(r => r.Name));
    }

    [Fact]
    public void Mirroring_and_session_affinity_follow_upstreams_support_matrix()
    {
        Assert.Equal(["gatewayapi:v1", "gatewayapi:v1beta1", "istio"], ProviderCatalog.Routers.Where(r => r.Mirroring != MirroringSupport.None).Select(r => r.Name));
        Assert.Equal(MirroringSupport.Any, ProviderCatalog.Find("istio")!.Mirroring);
        Assert.Equal(["gatewayapi:v1", "gatewayapi:v1beta1", "istio"], ProviderCatalog.Routers.Where(r => r.SessionAffinity).Select(r => r.Name));
        Assert.Equal(["gatewayapi:v1", "istio"], ProviderCatalog.Routers.Where(r => r.PrimarySessionCookie).Select(r => r.Name));
    }

    [Fact]
    public void Every_observer_the_catalog_names_has_an_implementation()
    {
        foreach (var row in ProviderCatalog.Routers)
        {
            Assert.NotNull(ObserverFactory.Create(row.Name));
        }
    }

    [Theory]
    [InlineData("appmesh:service", "appmesh")]
    [InlineData("gloo:service", "gloo")]
    [InlineData("gatewayapi", "http")]
    [InlineData("kubernetes", "http")]
    [InlineData("kubernetes:service", "istio")]
    [InlineData("linkerd:service", "istio")]
    [InlineData("crossover", "istio")]
    public void Observer_variants_match_by_family_only_where_upstream_matches_by_prefix(string metricsProvider, string observer) =>
        Assert.Equal(observer, ProviderCatalog.MetricsObserverFor(metricsProvider));
}
