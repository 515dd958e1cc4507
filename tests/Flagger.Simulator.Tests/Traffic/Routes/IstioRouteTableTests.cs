using Flagger.Simulator.Traffic.Routes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class IstioRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new IstioRouteTable().Find(fx.Cluster.Store, ns, service));

    [Fact]
    public async Task Rules_keep_header_matches_weights_and_mirror_and_a_single_destination_gets_all_its_traffic()
    {
        var ns = await fx.NamespaceAsync("rt");
        await new TrafficScenario(fx, ns).VirtualServiceAsync("podinfo", $"""["podinfo.{ns}.svc.cluster.local"]""", """
            [{"match":[{"headers":{"X-Canary":{"exact":"insider"}}},{"headers":{"cookie":{"regex":"^(.*?;)?(type=insider)(;.*)?$"}}}],
              "route":[{"destination":{"host":"podinfo-canary.NS.svc.cluster.local"},"weight":0}]},
             {"route":[{"destination":{"host":"podinfo-primary"},"weight":80},{"destination":{"host":"podinfo-canary"},"weight":20}],
              "mirror":{"host":"podinfo-canary"},"mirrorPercentage":{"value":50}}]
            """.Replace("NS", ns, StringComparison.Ordinal));

        var route = Assert.IsType<Route>(Find(ns, "podinfo"));
        Assert.Equal(2, route.Rules.Count);
        var (ab, weighted) = (route.Rules[0], route.Rules[1]);
        Assert.Equal([new WeightedDestination("podinfo-canary", 100)], ab.Destinations);
        Assert.Null(ab.Mirror);
        Assert.Equal(new HeaderCondition("x-canary", HeaderMatchKind.Exact, "insider"), Assert.Single(ab.Matches[0]));
        Assert.Equal([new WeightedDestination("podinfo-primary", 80), new WeightedDestination("podinfo-canary", 20)], weighted.Destinations);
        Assert.Equal(new MirrorDestination("podinfo-canary", 50), weighted.Mirror);
        Assert.Empty(weighted.Matches);

        Assert.Same(ab, route.RuleFor(new Dictionary<string, string> { ["x-canary"] = "insider" }));
        Assert.Same(ab, route.RuleFor(new Dictionary<string, string> { ["cookie"] = "a=b;type=insider" }));
        Assert.Same(weighted, route.RuleFor(new Dictionary<string, string> { ["x-canary"] = "outsider" }));
        Assert.Same(weighted, route.RuleFor(new Dictionary<string, string>()));
    }

    [Fact]
    public async Task A_request_no_rule_accepts_has_no_rule_and_prefix_and_legacy_mirror_percent_are_read()
    {
        var ns = await fx.NamespaceAsync("rt");
        await new TrafficScenario(fx, ns).VirtualServiceAsync("podinfo", """["podinfo"]""", """
            [{"match":[{"headers":{"user-agent":{"prefix":"Mozilla"}}}],"route":[{"destination":{"host":"podinfo-primary"}}],"mirror":{"host":"podinfo-canary"},"mirror_percent":10},
             {"match":[{"headers":{"x-only":{"suffix":"unsupported"}}}],"route":[{"destination":{"host":"podinfo-primary"}}],"mirror":{"host":"podinfo-canary"}}]
            """);

        var route = Assert.IsType<Route>(Find(ns, "podinfo"));
        Assert.Same(route.Rules[0], route.RuleFor(new Dictionary<string, string> { ["user-agent"] = "Mozilla/5.0" }));
        Assert.Equal(new MirrorDestination("podinfo-canary", 10), route.Rules[0].Mirror);
        Assert.Equal(new MirrorDestination("podinfo-canary", 100), route.Rules[1].Mirror);
        Assert.Null(route.RuleFor(new Dictionary<string, string> { ["x-only"] = "unsupported" }));
        Assert.Null(route.RuleFor(new Dictionary<string, string>()));
    }

    [Fact]
    public async Task Only_a_VirtualService_of_the_Services_namespace_naming_it_routes_it_and_the_first_by_name_wins()
    {
        var ns = await fx.NamespaceAsync("rt");
        var other = await fx.NamespaceAsync("rt");
        await new TrafficScenario(fx, other).VirtualServiceAsync("a", """["podinfo"]""", """[{"route":[{"destination":{"host":"elsewhere"}}]}]""");
        await new TrafficScenario(fx, ns).VirtualServiceAsync("c", """["podinfo"]""", """[{"route":[{"destination":{"host":"third"}}]}]""");
        await new TrafficScenario(fx, ns).VirtualServiceAsync("b", $"""["podinfo.{ns}"]""", """[{"route":[{"destination":{"host":"second"}}]}]""");
        await new TrafficScenario(fx, ns).VirtualServiceAsync("x", """["frontend", "podinfo.other-namespace"]""", """[{"route":[{"destination":{"host":"frontend"}}]}]""");

        Assert.Equal("second", Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules[0].Destinations).Service);
        Assert.Equal("frontend", Assert.Single(Assert.IsType<Route>(Find(ns, "frontend")).Rules[0].Destinations).Service);
        Assert.Null(Find(ns, "backend"));
        Assert.Null(Find(await fx.NamespaceAsync("rt"), "podinfo"));
    }
}
