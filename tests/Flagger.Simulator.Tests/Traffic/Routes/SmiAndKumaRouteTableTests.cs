using Flagger.Simulator.Traffic.Routes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class SmiAndKumaRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? FindSmi(string ns, string service) => fx.Cluster.Store.Read(() => new SmiRouteTable().Find(fx.Cluster.Store, ns, service));

    private Route? FindKuma(string ns, string service) => fx.Cluster.Store.Read(() => new KumaRouteTable().Find(fx.Cluster.Store, ns, service));

    [Fact]
    public async Task A_v1alpha1_split_with_quantity_weights_routes_its_apex_service_by_host()
    {
        MeshScenario.InstallCrds(fx);
        var ns = await fx.NamespaceAsync("smi");
        await MeshScenario.TrafficSplitAsync(fx, ns, "v1alpha1", $"podinfo.{ns}.svc.cluster.local",
            """[{"service":"podinfo-canary","weight":"30"},{"service":"podinfo-primary","weight":"70"}]""");

        var rule = Assert.Single(Assert.IsType<Route>(FindSmi(ns, "podinfo")).Rules);

        Assert.Equal([new WeightedDestination("podinfo-canary", 30), new WeightedDestination("podinfo-primary", 70)], rule.Destinations);
        Assert.Empty(rule.Matches);
        Assert.Null(FindSmi(ns, "podinfo-primary"));
    }

    [Fact]
    public async Task A_v1alpha2_split_with_integer_weights_routes_only_its_namespace()
    {
        MeshScenario.InstallCrds(fx);
        var ns = await fx.NamespaceAsync("smi");
        var other = await fx.NamespaceAsync("smi");
        await MeshScenario.TrafficSplitAsync(fx, ns, "v1alpha2", "podinfo", """[{"service":"podinfo-canary","weight":10},{"service":"podinfo-primary","weight":90}]""");

        Assert.Equal([new WeightedDestination("podinfo-canary", 10), new WeightedDestination("podinfo-primary", 90)], Assert.Single(FindSmi(ns, "podinfo")!.Rules).Destinations);
        Assert.Null(FindSmi(other, "podinfo"));
    }

    [Fact]
    public async Task A_cluster_scoped_traffic_route_splits_the_service_its_destination_tag_names()
    {
        MeshScenario.InstallCrds(fx);
        var ns = await fx.NamespaceAsync("kuma");
        await MeshScenario.TrafficRouteAsync(fx, ns, 80, 20);

        var rule = Assert.Single(Assert.IsType<Route>(FindKuma(ns, "podinfo")).Rules);

        Assert.Equal([new WeightedDestination("podinfo-primary", 80), new WeightedDestination("podinfo-canary", 20)], rule.Destinations);
        Assert.Null(FindKuma(ns, "podinfo-canary"));
        Assert.Null(FindKuma(await fx.NamespaceAsync("kuma"), "podinfo"));
    }
}
