using Flagger.Simulator.Tests.GatewayApi;
using Flagger.Simulator.Traffic.Routes;
using static Flagger.Simulator.Tests.GatewayApi.GatewayApiManifests;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class GatewayApiRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new GatewayApiRouteTable().Find(fx.Cluster.Store, ns, service));

    private async Task<string> NamespaceAsync()
    {
        await ApplyCrdsAsync(fx);
        return await fx.NamespaceAsync("rt");
    }

    private Task<Route> AcceptedAsync(string ns, string service) =>
        Expect.EventuallyAsync(() => Task.FromResult(Find(ns, service)), r => r is not null)!;

    [Fact]
    public async Task A_GAMMA_route_routes_its_service_with_header_matches_weights_and_mirror()
    {
        var ns = await NamespaceAsync();
        fx.Cluster.Apply(Service(ns, "podinfo"));
        fx.Cluster.Apply(Route(ns, "podinfo-mesh", """[{"group":"core","kind":"Service","name":"podinfo","port":9898}]""", """
            [{"matches":[{"headers":[{"name":"X-Canary","value":"insider"}]},{"headers":[{"type":"RegularExpression","name":"Cookie","value":".*canary.*abc.*"}]}],
              "backendRefs":[{"name":"podinfo-primary","port":9898,"weight":0},{"name":"podinfo-canary","port":9898,"weight":100}]},
             {"filters":[{"type":"RequestMirror","requestMirror":{"backendRef":{"name":"podinfo-canary","port":9898}}}],
              "backendRefs":[{"name":"podinfo-primary","port":9898,"weight":100},{"name":"podinfo-canary","port":9898,"weight":0}]}]
            """));

        var route = await AcceptedAsync(ns, "podinfo");

        var (ab, weighted) = (route.Rules[0], route.Rules[1]);
        Assert.Equal([new WeightedDestination("podinfo-primary", 0), new WeightedDestination("podinfo-canary", 100)], ab.Destinations);
        // The API server's defaults: header type Exact; a rule without matches gets PathPrefix /.
        Assert.Equal(new HeaderCondition("x-canary", HeaderMatchKind.Exact, "insider"), Assert.Single(ab.Matches[0]));
        Assert.Same(ab, route.RuleFor(new Dictionary<string, string> { ["x-canary"] = "insider" }));
        Assert.Same(ab, route.RuleFor(new Dictionary<string, string> { ["cookie"] = "a=b; canary=abc" }));
        Assert.Same(weighted, route.RuleFor(new Dictionary<string, string>()));
        Assert.Equal(new MirrorDestination("podinfo-canary", 100), weighted.Mirror);
        Assert.Null(Find(ns, "podinfo-primary"));
    }

    [Fact]
    public async Task A_gateway_route_routes_the_service_it_is_named_after_once_the_gateway_accepted_it()
    {
        var ns = await NamespaceAsync();
        fx.Cluster.Apply(Route(ns, "podinfo", """[{"name":"gateway"}]""", GatewayApiManifests.WeightedRules));
        fx.Cluster.Apply(Route(ns, "frontend-route", """[{"name":"gateway"}]""", GatewayApiManifests.WeightedRules));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Null(Find(ns, "podinfo"));

        fx.Cluster.Apply(Gateway(ns));

        var route = await AcceptedAsync(ns, "podinfo");
        Assert.Equal([new WeightedDestination("podinfo-primary", 80), new WeightedDestination("podinfo-canary", 20)], Assert.Single(route.Rules).Destinations);
        Assert.Null(Find(ns, "frontend"));
        Assert.Null(Find(await fx.NamespaceAsync("rt"), "podinfo"));
    }

    [Fact]
    public async Task Path_method_and_query_conditions_are_decided_for_the_simulated_GET_of_the_root_path()
    {
        var ns = await NamespaceAsync();
        fx.Cluster.Apply(Service(ns, "podinfo"));
        fx.Cluster.Apply(Route(ns, "podinfo", """[{"kind":"Service","group":"","name":"podinfo"}]""", """
            [{"matches":[{"path":{"type":"PathPrefix","value":"/api"}}],"backendRefs":[{"name":"api","port":9898}]},
             {"matches":[{"method":"POST"}],"backendRefs":[{"name":"post","port":9898}]},
             {"matches":[{"queryParams":[{"name":"debug","value":"1"}]}],"backendRefs":[{"name":"debug","port":9898}]},
             {"matches":[{"path":{"type":"RegularExpression","value":"/(index)?"},"method":"GET"}],"backendRefs":[{"name":"root","port":9898}]}]
            """));

        var route = await AcceptedAsync(ns, "podinfo");

        var rule = route.RuleFor(new Dictionary<string, string>());
        Assert.Equal("root", Assert.Single(rule!.Destinations).Service);
        Assert.Equal(1, Assert.Single(rule.Destinations).Weight);
    }
}
