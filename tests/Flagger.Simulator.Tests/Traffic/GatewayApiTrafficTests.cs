using Flagger.Simulator.Tests.GatewayApi;
using static Flagger.Simulator.Tests.GatewayApi.GatewayApiManifests;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>Requests to the apex Service follow an accepted HTTPRoute, and the pods' series (the gatewayapi builtin metrics' source) show it.</summary>
public sealed class GatewayApiTrafficTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    private async Task<Dictionary<string, double>> RequestsByWorkloadAsync(TrafficScenario scenario, string ns)
    {
        var result = new Dictionary<string, double>();
        foreach (var s in (await scenario.ScrapeAsync()).Where(s => s.Name == "http_request_duration_seconds_count" && s.Labels["kubernetes_namespace"] == ns))
        {
            var workload = s.Labels["kubernetes_pod_name"].StartsWith("podinfo-canary-", StringComparison.Ordinal) ? "canary" : "primary";
            result[workload] = result.GetValueOrDefault(workload) + s.Value;
        }

        return result;
    }

    [Fact]
    public async Task An_accepted_gateway_route_splits_by_weight_sends_matching_headers_to_the_canary_and_mirrors()
    {
        await ApplyCrdsAsync(fx);
        var ns = await fx.NamespaceAsync("gwtr");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        fx.Cluster.Apply(Gateway(ns));
        fx.Cluster.Apply(Route(ns, "podinfo", """[{"name":"gateway"}]""", """
            [{"matches":[{"headers":[{"name":"x-canary","value":"insider"}]}],
              "backendRefs":[{"name":"podinfo-primary","port":9898,"weight":0},{"name":"podinfo-canary","port":9898,"weight":100}]},
             {"backendRefs":[{"name":"podinfo-primary","port":9898,"weight":80},{"name":"podinfo-canary","port":9898,"weight":20}]}]
            """));
        await Expect.EventuallyAsync(() => Task.FromResult(fx.Cluster.Store.Read(() => new Flagger.Simulator.Traffic.Routes.GatewayApiRouteTable().Find(fx.Cluster.Store, ns, "podinfo"))),
            r => r is not null);

        await scenario.SendAsync(200, 10, "x-canary=insider:0.1");

        // 10 ticks × 0.5 s × 200 rps = 1000 requests: 100 insiders to the canary, the other 900 split 80/20.
        var counts = await RequestsByWorkloadAsync(scenario, ns);
        Assert.Equal(720, counts["primary"], 3);
        Assert.Equal(100 + 180, counts["canary"], 3);
    }

    [Fact]
    public async Task A_route_the_gateway_has_not_accepted_carries_nothing_and_the_service_selector_decides()
    {
        await ApplyCrdsAsync(fx);
        var ns = await fx.NamespaceAsync("gwtr");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        fx.Cluster.Apply(Route(ns, "podinfo", """[{"name":"missing-gateway"}]""", """
            [{"backendRefs":[{"name":"podinfo-primary","port":9898,"weight":0},{"name":"podinfo-canary","port":9898,"weight":100}],
              "filters":[{"type":"RequestMirror","requestMirror":{"backendRef":{"name":"podinfo-canary","port":9898}}}]}]
            """));

        await scenario.SendAsync(200, 10);

        var counts = await RequestsByWorkloadAsync(scenario, ns);
        Assert.Equal(1000, counts["primary"], 3);
        Assert.False(counts.ContainsKey("canary"));
    }
}
