using Flagger.Simulator.Traffic.Routes;
using k8s.Autorest;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class ContourRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new ContourRouteTable().Find(fx.Cluster.Store, ns, service));

    [Fact]
    public async Task The_flagger_proxy_routes_only_once_a_root_proxy_includes_it_with_the_header_route_first_and_unset_weights_zero()
    {
        await ProviderCrds.ApplyAsync(fx, "contour");
        var ns = await fx.NamespaceAsync("rt");
        await Proxy(ns, "podinfo", """
            {"routes":[
              {"conditions":[{"prefix":"/"}],"services":[{"name":"podinfo-primary","port":9898,"weight":100},{"name":"podinfo-canary","port":9898}]},
              {"conditions":[{"prefix":"/","header":{"name":"X-Canary","exact":"insider"}},{"prefix":"/","header":{"name":"user-agent","contains":"Fire.fox"}}],
               "services":[{"name":"podinfo-primary","port":9898},{"name":"podinfo-canary","port":9898,"weight":100}]}]}
            """);
        Assert.Null(Find(ns, "podinfo"));

        await Proxy(await fx.NamespaceAsync("root"), "root", $$$$"""
            {"virtualhost":{"fqdn":"app.example.com"},"includes":[{"name":"podinfo","namespace":"{{{{ns}}}}","conditions":[{"prefix":"/"}]}]}
            """);

        var route = Assert.IsType<Route>(Find(ns, "podinfo"));
        var (ab, weighted) = (route.Rules[0], route.Rules[1]);
        Assert.Equal([new WeightedDestination("podinfo-primary", 0), new WeightedDestination("podinfo-canary", 100)], ab.Destinations);
        Assert.Equal([new WeightedDestination("podinfo-primary", 100), new WeightedDestination("podinfo-canary", 0)], weighted.Destinations);
        Assert.Same(ab, route.RuleFor(new Dictionary<string, string> { ["x-canary"] = "insider", ["user-agent"] = "a Fire.fox b" }));
        Assert.Same(weighted, route.RuleFor(new Dictionary<string, string> { ["x-canary"] = "insider", ["user-agent"] = "a Firexfox b" }));
        Assert.Same(weighted, route.RuleFor(new Dictionary<string, string>()));
        Assert.Null(Find(ns, "frontend"));
    }

    [Fact]
    public async Task A_root_proxy_routes_itself_and_services_without_weights_share_equally()
    {
        await ProviderCrds.ApplyAsync(fx, "contour");
        var ns = await fx.NamespaceAsync("rt");
        await Proxy(ns, "podinfo", """
            {"virtualhost":{"fqdn":"podinfo.example.com"},"routes":[{"services":[{"name":"a","port":80},{"name":"b","port":80}]}]}
            """);

        var rule = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);
        Assert.Equal([new WeightedDestination("a", 1), new WeightedDestination("b", 1)], rule.Destinations);
        Assert.Empty(rule.Matches);
    }

    [Fact]
    public async Task The_published_schema_rejects_an_invalid_proxy_as_the_api_server_would()
    {
        await ProviderCrds.ApplyAsync(fx, "contour");
        var ns = await fx.NamespaceAsync("rt");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Proxy(ns, "podinfo", """{"routes":[{"services":[{"name":"podinfo-primary","port":"http"}]}]}"""));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
    }

    private Task Proxy(string ns, string name, string spec) => ProviderCrds.CreateAsync(fx, ns, "httpproxies",
        $$$$"""{"apiVersion":"projectcontour.io/v1","kind":"HTTPProxy","metadata":{"name":"{{{{name}}}}"},"spec":{{{{spec}}}}}""");
}
