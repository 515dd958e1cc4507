using Flagger.Simulator.Traffic.Exporters;
using Flagger.Simulator.Traffic.Routes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class ApisixRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new ApisixRouteTable().Find(fx.Cluster.Store, ns, service));

    /// <summary>An ApisixRoute with one rule (upstream's test/apisix/test-canary.sh route when <paramref name="backends"/> is podinfo).</summary>
    internal static string Route(string ns, string name, string backends, int? priority = null, string plugins = "[{name: prometheus, enable: true, config: {disable: false, prefer_name: true}}]") => $$"""
        apiVersion: apisix.apache.org/v2
        kind: ApisixRoute
        metadata:
          name: {{name}}
          namespace: {{ns}}
        spec:
          http:
            - name: method
              {{(priority is { } p ? $"priority: {p}" : "")}}
              match:
                hosts: [app.example.com]
                methods: [GET]
                paths: ["/*"]
              backends: {{backends}}
              plugins: {{plugins}}
        """;

    private async Task<string> SetUpAsync()
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(Repo.File("deploy", "dev", "apisix-crds.yaml"), TestContext.Current.CancellationToken));
        return await fx.NamespaceAsync("apisix");
    }

    [Fact]
    public async Task The_users_rule_for_the_service_serves_it_with_its_backend_until_a_higher_priority_rule_has_the_same_match()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Apply(Route(ns, "podinfo", """[{serviceName: podinfo, servicePort: 80}]"""));

        var before = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);
        Assert.Equal([new WeightedDestination("podinfo", 100, ApisixExporter.ViaRoute($"{ns}_podinfo_method"))], before.Destinations);

        fx.Cluster.Apply(Route(ns, "podinfo-podinfo-canary",
            """[{serviceName: podinfo-primary, servicePort: 80, weight: 90}, {serviceName: podinfo-canary, servicePort: 80, weight: 10}]""", priority: 10000));

        var after = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);
        var via = ApisixExporter.ViaRoute($"{ns}_podinfo-podinfo-canary_method");
        Assert.Equal([new WeightedDestination("podinfo-primary", 90, via), new WeightedDestination("podinfo-canary", 10, via)], after.Destinations);
    }

    [Fact]
    public async Task A_rule_with_another_match_does_not_take_the_services_requests_and_without_prometheus_there_is_no_route_label()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Apply(Route(ns, "podinfo", """[{serviceName: podinfo, servicePort: 80}]""", plugins: "[]"));
        fx.Cluster.Apply(Route(ns, "elsewhere", """[{serviceName: other, servicePort: 80}]""", priority: 10000).Replace("app.example.com", "other.example.com", StringComparison.Ordinal));

        var rule = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);

        Assert.Equal([new WeightedDestination("podinfo", 100)], rule.Destinations);
        Assert.Null(Find(ns, "frontend"));
    }

    [Fact]
    public async Task Without_prefer_name_the_route_label_is_an_id_the_builtin_query_does_not_select()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Apply(Route(ns, "podinfo", """[{serviceName: podinfo, servicePort: 80}]""", plugins: "[{name: prometheus, enable: true}]"));

        var destination = Assert.Single(Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules).Destinations);

        Assert.NotNull(destination.Via);
        Assert.DoesNotContain("podinfo", destination.Via, StringComparison.Ordinal);
    }
}
