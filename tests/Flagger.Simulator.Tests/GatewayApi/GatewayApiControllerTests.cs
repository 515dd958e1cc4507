using System.Text.Json.Nodes;
using k8s;
using static Flagger.Simulator.Tests.GatewayApi.GatewayApiManifests;

namespace Flagger.Simulator.Tests.GatewayApi;

public sealed class GatewayApiControllerTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private async Task<JsonNode> RouteAsync(string ns, string name) =>
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync("gateway.networking.k8s.io", "v1", ns, "httproutes", name)))!;

    private Task<JsonNode> EventuallyAsync(string ns, string name, Func<JsonNode, bool> condition) =>
        Expect.EventuallyAsync(() => RouteAsync(ns, name), condition);

    private static string? Condition(JsonNode route, string type, string field = "status") =>
        (string?)route["status"]?["parents"]?[0]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type)?[field];

    private static long? ObservedGeneration(JsonNode route) =>
        (long?)route["status"]?["parents"]?[0]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Accepted")?["observedGeneration"];

    [Fact]
    public async Task A_route_is_accepted_by_an_existing_gateway_with_its_generation_and_the_parent_ref_as_written()
    {
        await ApplyCrdsAsync(fx);
        var ns = await fx.NamespaceAsync("gw");
        fx.Cluster.Apply(Gateway(ns));
        fx.Cluster.Apply(Service(ns, "podinfo-primary"));
        fx.Cluster.Apply(Service(ns, "podinfo-canary"));

        fx.Cluster.Apply(Route(ns, "podinfo", """[{"name":"gateway"}]""", WeightedRules));

        var route = await EventuallyAsync(ns, "podinfo", r => Condition(r, "Accepted") == "True");
        var parent = route["status"]!["parents"]![0]!;
        Assert.Equal("simulator.flagger.app/gateway-controller", (string?)parent["controllerName"]);
        // The stored parentRef carries the API server's defaults, and the status repeats it.
        Assert.True(JsonNode.DeepEquals(route["spec"]!["parentRefs"]![0], parent["parentRef"]));
        Assert.Equal("gateway.networking.k8s.io", (string?)parent["parentRef"]!["group"]);
        Assert.Equal(1, ObservedGeneration(route));
        Assert.Equal("True", Condition(route, "ResolvedRefs"));
        Assert.NotNull(Condition(route, "Accepted", "lastTransitionTime"));

        // A spec change is a new generation, which the gateway then observes.
        fx.Cluster.Apply(Route(ns, "podinfo", """[{"name":"gateway"}]""", WeightedRules.Replace("80", "50", StringComparison.Ordinal).Replace("20", "50", StringComparison.Ordinal)));
        route = await EventuallyAsync(ns, "podinfo", r => ObservedGeneration(r) == 2);
        Assert.Equal(2, (long?)route["metadata"]!["generation"]);
    }

    [Fact]
    public async Task A_route_to_a_missing_gateway_is_not_accepted_until_the_gateway_exists()
    {
        await ApplyCrdsAsync(fx);
        var ns = await fx.NamespaceAsync("gw");

        fx.Cluster.Apply(Route(ns, "podinfo", $$"""[{"name":"gateway","namespace":"{{ns}}"}]""", WeightedRules));

        var route = await EventuallyAsync(ns, "podinfo", r => Condition(r, "Accepted") is not null);
        Assert.Equal("False", Condition(route, "Accepted"));
        Assert.Equal("NoMatchingParent", Condition(route, "Accepted", "reason"));
        Assert.Equal("False", Condition(route, "ResolvedRefs"));

        fx.Cluster.Apply(Gateway(ns));
        await EventuallyAsync(ns, "podinfo", r => Condition(r, "Accepted") == "True");
    }

    [Fact]
    public async Task A_GAMMA_route_is_accepted_by_the_service_it_names_and_v1beta1_routes_are_served_too()
    {
        await ApplyCrdsAsync(fx);
        var ns = await fx.NamespaceAsync("gw");
        fx.Cluster.Apply(Route(ns, "podinfo", """[{"group":"core","kind":"Service","name":"podinfo","port":9898}]""", WeightedRules, version: "v1beta1"));
        var route = await EventuallyAsync(ns, "podinfo", r => Condition(r, "Accepted") is not null);
        Assert.Equal("False", Condition(route, "Accepted"));

        fx.Cluster.Apply(Service(ns, "podinfo"));

        route = await EventuallyAsync(ns, "podinfo", r => Condition(r, "Accepted") == "True");
        Assert.Equal("Service", (string?)route["status"]!["parents"]![0]!["parentRef"]!["kind"]);
    }
}
