using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic;
using Flagger.Simulator.Traffic.Exporters;
using Flagger.Simulator.Traffic.Routes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>The provider seam: any route table plugged into the model routes traffic, and every exporter sees every outcome.</summary>
public sealed class TrafficModelTests(TrafficFixture fx) : IClassFixture<TrafficFixture>
{
    /// <summary>A test-only provider that routes one Service.</summary>
    private sealed class OneServiceRouteTable(string service, Route route) : IRouteTable
    {
        public Route? Find(ClusterStore store, string ns, string name) => name == service ? route : null;
    }

    private sealed class CapturingExporter : ITrafficExporter
    {
        public List<RequestOutcome> Outcomes { get; } = [];

        public void Record(RequestOutcome outcome) => Outcomes.Add(outcome);
    }

    private static Dictionary<string, long> CountsByWorkloadAndCode(IEnumerable<RequestOutcome> outcomes) =>
        outcomes.GroupBy(o => $"{o.Workload}/{o.ResponseCode}").ToDictionary(g => g.Key, g => g.Sum(o => o.Count));

    private async Task<string> CanaryAsync()
    {
        var ns = await fx.NamespaceAsync("seam");
        var scenario = new TrafficScenario(fx, ns);
        await scenario.WorkloadAsync("podinfo-primary", 0);
        await scenario.WorkloadAsync("podinfo-canary", 0.2);
        await scenario.ServiceAsync("podinfo", "podinfo-primary");
        return ns;
    }

    [Fact]
    public async Task A_plugged_in_route_table_routes_before_the_Istio_table_and_every_exporter_records_every_outcome()
    {
        var ns = await CanaryAsync();
        await new TrafficScenario(fx, ns).VirtualServiceAsync("podinfo", """["podinfo"]""", """[{"route":[{"destination":{"host":"podinfo-primary"}}]}]""");
        var fake = new OneServiceRouteTable("podinfo", new Route(
            [new RouteRule([], [new WeightedDestination("podinfo-primary", 3), new WeightedDestination("podinfo-canary", 7)], null)]));
        var (first, second) = (new CapturingExporter(), new CapturingExporter());
        var model = new TrafficModel(fx.Cluster.Store, [fake, new IstioRouteTable(), new ServiceSelectorRoute()], [first, second],
            TimeSpan.FromSeconds(1), NullLogger<TrafficModel>.Instance);
        model.SetSource(ns, "podinfo", new TrafficSource(100, []));
        for (var i = 0; i < 10; i++)
        {
            model.Tick(TimeSpan.FromSeconds(1));
        }

        // 1000 requests: 300 to the primary, 700 to the canary of which 20% fail; the VirtualService is never asked.
        var counts = CountsByWorkloadAndCode(first.Outcomes);
        Assert.Equal(new Dictionary<string, long> { ["podinfo-primary/200"] = 300, ["podinfo-canary/200"] = 560, ["podinfo-canary/500"] = 140 }, counts);
        Assert.Equal(first.Outcomes, second.Outcomes);
        Assert.All(first.Outcomes, o => Assert.Equal((ns, 9898), (o.Namespace, o.Port)));
        Assert.Equal(["podinfo-canary", "podinfo-primary"], first.Outcomes.Select(o => o.Service).Distinct().Order());
    }

    [Fact]
    public async Task A_Service_no_table_routes_falls_through_to_the_Service_selector_and_without_tables_sends_nothing()
    {
        var ns = await CanaryAsync();
        var exporter = new CapturingExporter();
        var fake = new OneServiceRouteTable("podinfo", new Route([]));
        var model = new TrafficModel(fx.Cluster.Store, [fake, new ServiceSelectorRoute()], [exporter], TimeSpan.FromSeconds(1), NullLogger<TrafficModel>.Instance);
        model.SetSource(ns, "podinfo", new TrafficSource(100, []));
        model.SetSource(ns, "podinfo-canary", new TrafficSource(10, []));
        model.Tick(TimeSpan.FromSeconds(10));

        // The fake routes podinfo with no rules (its requests are dropped); podinfo-canary goes to its own pods.
        Assert.Equal(new Dictionary<string, long> { ["podinfo-canary/200"] = 80, ["podinfo-canary/500"] = 20 }, CountsByWorkloadAndCode(exporter.Outcomes));

        var silent = new CapturingExporter();
        var noTables = new TrafficModel(fx.Cluster.Store, [], [silent], TimeSpan.FromSeconds(1), NullLogger<TrafficModel>.Instance);
        noTables.SetSource(ns, "podinfo", new TrafficSource(100, []));
        noTables.Tick(TimeSpan.FromSeconds(10));
        Assert.Empty(silent.Outcomes);
    }
}
