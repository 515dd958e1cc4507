using Flagger.Simulator.Traffic.Exporters;
using Flagger.Simulator.Traffic.Routes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class TraefikRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new TraefikRouteTable().Find(fx.Cluster.Store, ns, service));

    /// <summary>upstream's test/traefik/test-canary.sh IngressRoute and a TraefikService as Flagger writes it.</summary>
    internal static string Objects(string ns, string weightedServices, string ingressTarget = "podinfo") => $$"""
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: podinfo
          namespace: {{ns}}
        spec:
          entryPoints: [web]
          routes:
            - match: Host(`app.example.com`)
              kind: Rule
              services:
                - name: {{ingressTarget}}
                  kind: TraefikService
                  port: 80
        ---
        apiVersion: traefik.io/v1alpha1
        kind: TraefikService
        metadata:
          name: podinfo
          namespace: {{ns}}
        spec:
          weighted:
            services: {{weightedServices}}
        """;

    private async Task<string> SetUpAsync()
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(Repo.File("deploy", "dev", "traefik-crds.yaml"), TestContext.Current.CancellationToken));
        return await fx.NamespaceAsync("traefik");
    }

    [Fact]
    public async Task The_ingress_route_sends_the_services_requests_through_the_weighted_traefik_service()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Apply(Objects(ns, $$"""
            [{"name":"podinfo-primary","namespace":"{{ns}}","port":80,"weight":70},{"name":"podinfo-canary","namespace":"{{ns}}","port":80,"weight":30}]
            """));

        var route = Assert.IsType<Route>(Find(ns, "podinfo"));

        var rule = Assert.Single(route.Rules);
        var via = TraefikExporter.ViaTraefikService("podinfo");
        Assert.Equal([new WeightedDestination("podinfo-primary", 70, via), new WeightedDestination("podinfo-canary", 30, via)], rule.Destinations);
        Assert.Same(rule, route.RuleFor(new Dictionary<string, string>()));
    }

    [Fact]
    public async Task An_absent_weight_counts_1_and_an_explicit_0_sends_nothing()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Apply(Objects(ns, """[{"name":"podinfo-primary","port":80,"weight":0},{"name":"podinfo-canary","port":80}]"""));

        var rule = Assert.Single(Assert.IsType<Route>(Find(ns, "podinfo")).Rules);

        Assert.Equal([0.0, 1.0], rule.Destinations.Select(d => d.Weight));
    }

    [Fact]
    public async Task Without_an_ingress_route_targeting_the_traefik_service_traefik_does_not_route_the_service()
    {
        var ns = await SetUpAsync();
        fx.Cluster.Apply(Objects(ns, """[{"name":"podinfo-primary","port":80,"weight":100}]""", ingressTarget: "other"));

        Assert.Null(Find(ns, "podinfo"));
        Assert.Null(Find(ns, "other"));
        Assert.Null(Find(await fx.NamespaceAsync("traefik"), "podinfo"));
    }
}
