using Flagger.Simulator.Traffic.Routes;
using static Flagger.Simulator.Tests.Traffic.Routes.IngressRoutes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class SkipperRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new SkipperRouteTable().Find(fx.Cluster.Store, ns, service));

    [Fact]
    public async Task The_weighted_canary_ingress_wins_and_splits_by_backend_weights_naming_skipper_route_ids()
    {
        var ns = await fx.NamespaceAsync("skipper");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.IngressAsync(Ingress("podinfo", "skipper", new Dictionary<string, string>(), "podinfo"));

        var direct = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);
        var routeId = $"kube_{ns.Replace('-', '_')}__podinfo__app_example_com_____podinfo";
        Assert.Equal([new WeightedDestination("podinfo", 1, SkipperVia.Format(routeId))], direct.Destinations);

        await scenario.IngressAsync(Ingress("podinfo-canary", "skipper", new Dictionary<string, string>
        {
            ["zalando.org/backend-weights"] = """{"podinfo-canary":20,"podinfo-primary":80}""",
            ["zalando.org/skipper-predicate"] = "Weight(100)",
        }, "podinfo-primary", "podinfo-canary"));

        var split = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);
        Assert.Equal(
            [
                new WeightedDestination("podinfo-primary", 80, SkipperVia.Format(SkipperRouteTable.RouteId(ns, "podinfo-canary", "app.example.com", "/", "podinfo-primary"))),
                new WeightedDestination("podinfo-canary", 20, SkipperVia.Format(SkipperRouteTable.RouteId(ns, "podinfo-canary", "app.example.com", "/", "podinfo-canary"))),
            ],
            split.Destinations);
        Assert.Matches($"^kube(ew)?_{ns.Replace('-', '_')}__podinfo_canary__.*__podinfo_canary(_[0-9]+)?$",
            SkipperRouteTable.RouteId(ns, "podinfo-canary", "app.example.com", "/", "podinfo-canary"));
    }

    [Fact]
    public async Task False_disables_the_canary_ingress_so_the_users_ingress_routes_again()
    {
        var ns = await fx.NamespaceAsync("skipper");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.IngressAsync(Ingress("podinfo", "skipper", new Dictionary<string, string>(), "podinfo"));
        await scenario.IngressAsync(Ingress("podinfo-canary", "skipper", new Dictionary<string, string>
        {
            ["zalando.org/backend-weights"] = """{"podinfo-canary":0,"podinfo-primary":100}""",
            ["zalando.org/skipper-predicate"] = "False() && Weight(100)",
        }, "podinfo-primary", "podinfo-canary"));

        Assert.Equal("podinfo", Assert.Single(Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules).Destinations).Service);
    }

    [Fact]
    public async Task Backends_without_any_weight_share_equally_and_other_classes_are_ignored()
    {
        var ns = await fx.NamespaceAsync("skipper");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.IngressAsync(Ingress("podinfo", "skipper", new Dictionary<string, string>(), "podinfo"));
        await scenario.IngressAsync(Ingress("podinfo-canary", "skipper", new Dictionary<string, string>
        {
            ["zalando.org/skipper-predicate"] = "Weight(10)",
        }, "podinfo-primary", "podinfo-canary"));
        await scenario.IngressAsync(Ingress("web", "nginx", new Dictionary<string, string>(), "web"));

        Assert.Equal([1.0, 1.0], Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules).Destinations.Select(d => d.Weight));
        Assert.Null(Find(ns, "web"));
    }
}
