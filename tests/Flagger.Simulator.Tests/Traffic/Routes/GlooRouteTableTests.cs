using Flagger.Simulator.Traffic.Exporters;
using Flagger.Simulator.Traffic.Routes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class GlooRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new GlooRouteTable().Find(fx.Cluster.Store, ns, service));

    [Fact]
    public async Task The_route_table_routes_once_a_virtual_service_delegates_to_it_and_destinations_resolve_through_upstreams()
    {
        await ProviderCrds.ApplyAsync(fx, "gloo");
        var ns = await fx.NamespaceAsync("rt");
        await Upstream(ns, $"{ns}-podinfo-primaryupstream-9898", "podinfo-primary");
        await Upstream(ns, $"{ns}-podinfo-canaryupstream-9898", "podinfo-canary");
        await ProviderCrds.CreateAsync(fx, ns, "routetables", $$$$"""
            {"apiVersion":"gateway.solo.io/v1","kind":"RouteTable","metadata":{"name":"podinfo"},
             "spec":{"routes":[{"inheritablePathMatchers":true,
               "matchers":[{"headers":[{"name":"X-Canary","value":"insider"},{"name":"user-agent","value":".*Firefox.*","regex":true}]}],
               "routeAction":{"multi":{"destinations":[
                 {"destination":{"upstream":{"name":"{{{{ns}}}}-podinfo-primaryupstream-9898","namespace":"{{{{ns}}}}"}},"weight":30},
                 {"destination":{"upstream":{"name":"{{{{ns}}}}-podinfo-canaryupstream-9898","namespace":"{{{{ns}}}}"}},"weight":70},
                 {"destination":{"upstream":{"name":"missing","namespace":"{{{{ns}}}}"}}}]}}}]}}
            """);
        Assert.Null(Find(ns, "podinfo"));

        await VirtualService(await fx.NamespaceAsync("gloo-system"), ns, "podinfo");

        var rule = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);
        Assert.Equal(
        [
            new WeightedDestination("podinfo-primary", 30, EnvoyExporter.GlooUpstreamVia($"{ns}-podinfo-primaryupstream-9898", ns)),
            new WeightedDestination("podinfo-canary", 70, EnvoyExporter.GlooUpstreamVia($"{ns}-podinfo-canaryupstream-9898", ns)),
            new WeightedDestination("missing.no-such-upstream", 0, EnvoyExporter.GlooUpstreamVia("missing", ns)),
        ], rule.Destinations);
        Assert.True(rule.Accepts(new Dictionary<string, string> { ["x-canary"] = "insider", ["user-agent"] = "Mozilla Firefox 1" }));
        Assert.False(rule.Accepts(new Dictionary<string, string> { ["x-canary"] = "insider" }));
        Assert.False(rule.Accepts(new Dictionary<string, string>()));
    }

    [Fact]
    public async Task A_method_matcher_without_GET_never_matches_the_simulated_GET_requests()
    {
        await ProviderCrds.ApplyAsync(fx, "gloo");
        var ns = await fx.NamespaceAsync("rt");
        await ProviderCrds.CreateAsync(fx, ns, "routetables", """
            {"apiVersion":"gateway.solo.io/v1","kind":"RouteTable","metadata":{"name":"podinfo"},
             "spec":{"routes":[
               {"matchers":[{"methods":["POST"]}],"routeAction":{"single":{"upstream":{"name":"a"}}}},
               {"matchers":[{"methods":["GET","HEAD"]}],"routeAction":{"single":{"upstream":{"name":"b"}}}}]}}
            """);
        await VirtualService(ns, ns, "podinfo");

        var route = Assert.IsType<Route>(Find(ns, "podinfo"));
        Assert.Same(route.Rules[1], route.RuleFor(new Dictionary<string, string>()));
    }

    private Task Upstream(string ns, string name, string service) => ProviderCrds.CreateAsync(fx, ns, "upstreams", $$$$"""
        {"apiVersion":"gloo.solo.io/v1","kind":"Upstream","metadata":{"name":"{{{{name}}}}"},
         "spec":{"kube":{"serviceName":"{{{{service}}}}","serviceNamespace":"{{{{ns}}}}","servicePort":9898}}}
        """);

    private Task VirtualService(string vsNamespace, string tableNamespace, string table) => ProviderCrds.CreateAsync(fx, vsNamespace, "virtualservices", $$$$"""
        {"apiVersion":"gateway.solo.io/v1","kind":"VirtualService","metadata":{"name":"podinfo"},
         "spec":{"virtualHost":{"domains":["app.example.com"],"routes":[{"matchers":[{"prefix":"/"}],"delegateAction":{"ref":{"name":"{{{{table}}}}","namespace":"{{{{tableNamespace}}}}"}}}]}}}
        """);
}
