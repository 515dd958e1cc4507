using Flagger.Simulator.Traffic.Routes;
using static Flagger.Simulator.Tests.Traffic.Routes.IngressRoutes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class NginxRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new NginxRouteTable().Find(fx.Cluster.Store, ns, service));

    [Fact]
    public async Task The_main_ingress_routes_its_backend_and_a_canary_ingress_diverts_its_weight()
    {
        var ns = await fx.NamespaceAsync("nginx");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.IngressAsync(Ingress("podinfo", "nginx", new Dictionary<string, string>(), "podinfo"));

        var alone = Assert.IsType<Route>(Find(ns, "podinfo"));
        Assert.Equal([new WeightedDestination("podinfo", 1, NginxVia.Format("podinfo", "podinfo", ""))], Assert.Single(alone.Rules).Destinations);

        await scenario.IngressAsync(Ingress("podinfo-canary", "nginx",
            new Dictionary<string, string> { [Prefix + "canary"] = "true", [Prefix + "canary-weight"] = "30" }, "podinfo-canary"));

        var weighted = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);
        Assert.Equal(
            [
                new WeightedDestination("podinfo", 70, NginxVia.Format("podinfo", "podinfo", "")),
                new WeightedDestination("podinfo-canary", 30, NginxVia.Format("podinfo", "podinfo", $"{ns}-podinfo-canary-9898")),
            ],
            weighted.Destinations);
        Assert.Null(Find(ns, "other"));
    }

    [Fact]
    public async Task Header_value_then_cookie_then_weight_decide_in_ingress_nginx_order()
    {
        var ns = await fx.NamespaceAsync("nginx");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.IngressAsync(Ingress("podinfo", "nginx", new Dictionary<string, string>(), "podinfo"));
        await scenario.IngressAsync(Ingress("podinfo-canary", "nginx", new Dictionary<string, string>
        {
            [Prefix + "canary"] = "true",
            [Prefix + "canary-weight"] = "0",
            [Prefix + "canary-by-header"] = "X-User",
            [Prefix + "canary-by-header-value"] = "insider",
            [Prefix + "canary-by-cookie"] = "canary",
        }, "podinfo-canary"));

        var route = Assert.IsType<Route>(Find(ns, "podinfo"));

        Assert.Equal("podinfo-canary", Assert.Single(route.RuleFor(new Dictionary<string, string> { ["x-user"] = "insider" })!.Destinations).Service);
        Assert.Equal("podinfo-canary", Assert.Single(route.RuleFor(new Dictionary<string, string> { ["cookie"] = "a=b; canary=always" })!.Destinations).Service);
        Assert.Equal("podinfo", Assert.Single(route.RuleFor(new Dictionary<string, string> { ["cookie"] = "canary=never" })!.Destinations).Service);
        var rest = route.RuleFor(new Dictionary<string, string> { ["x-user"] = "outsider" })!;
        Assert.Equal([100.0, 0.0], rest.Destinations.Select(d => d.Weight));
    }

    [Fact]
    public async Task A_header_pattern_is_searched_and_a_header_without_value_means_always_or_never()
    {
        var ns = await fx.NamespaceAsync("nginx");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.IngressAsync(Ingress("a-main", "nginx", new Dictionary<string, string>(), "podinfo"));
        await scenario.IngressAsync(Ingress("b-canary", "nginx", new Dictionary<string, string>
        {
            [Prefix + "canary"] = "true",
            [Prefix + "canary-by-header"] = "x-region",
            [Prefix + "canary-by-header-pattern"] = "eu-",
        }, "podinfo-canary"));
        await scenario.IngressAsync(Ingress("other", "nginx", new Dictionary<string, string>(), "web"));
        await scenario.IngressAsync(Ingress("other-canary", "nginx", new Dictionary<string, string>
        {
            [Prefix + "canary"] = "true",
            [Prefix + "canary-by-header"] = "x-canary",
        }, "web-canary"));

        var pattern = Assert.IsType<Route>(Find(ns, "podinfo"));
        Assert.Equal("podinfo-canary", pattern.RuleFor(new Dictionary<string, string> { ["x-region"] = "west-eu-1" })!.Destinations[0].Service);
        Assert.Equal("podinfo", pattern.RuleFor(new Dictionary<string, string> { ["x-region"] = "us-1" })!.Destinations.Single(d => d.Weight > 0).Service);
    }

    [Fact]
    public async Task Ingresses_of_another_class_are_not_nginx_routes()
    {
        var ns = await fx.NamespaceAsync("nginx");
        await new TrafficScenario(fx, ns).IngressAsync(Ingress("podinfo", "skipper", new Dictionary<string, string>(), "podinfo"));

        Assert.Null(Find(ns, "podinfo"));
    }
}
