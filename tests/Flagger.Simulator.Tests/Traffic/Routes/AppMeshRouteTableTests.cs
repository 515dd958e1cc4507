using System.Text.Json.Nodes;
using Flagger.Simulator.Traffic.Routes;
using k8s;

namespace Flagger.Simulator.Tests.Traffic.Routes;

public sealed class AppMeshRouteTableTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private Route? Find(string ns, string service) =>
        fx.Cluster.Store.Read(() => new AppMeshRouteTable().Find(fx.Cluster.Store, ns, service));

    [Fact]
    public async Task V1beta2_follows_the_virtual_service_to_its_router_and_the_nodes_dns_to_the_services_in_priority_order()
    {
        var ns = await AppMesh.SetUpAsync(fx, "am");
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualnodes", AppMesh.NodeV1Beta2("podinfo-primary", ns));
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualnodes", AppMesh.NodeV1Beta2("podinfo-canary", ns));
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualrouters", """
            {"metadata":{"name":"podinfo"},"spec":{"listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],"routes":[
              {"name":"podinfo-b","priority":20,"httpRoute":{"match":{"prefix":"/"},"action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-primary"},"weight":100}]}}},
              {"name":"podinfo-a","priority":10,"httpRoute":{"match":{"prefix":"/","headers":[{"name":"X-Canary","match":{"exact":"insider"}},{"name":"user-agent","match":{"suffix":"Firefox"}}]},
                "action":{"weightedTargets":[{"virtualNodeRef":{"name":"podinfo-canary"},"weight":30},{"virtualNodeRef":{"name":"podinfo-primary"},"weight":70}]}}}]}}
            """);
        await AppMesh.CreateAsync(fx, ns, "v1beta2", "virtualservices",
            """{"metadata":{"name":"podinfo"},"spec":{"provider":{"virtualRouter":{"virtualRouterRef":{"name":"podinfo"}}}}}""");

        var route = Assert.IsType<Route>(Find(ns, "podinfo"));

        Assert.Equal(2, route.Rules.Count);
        Assert.Equal([new WeightedDestination("podinfo-canary", 30), new WeightedDestination("podinfo-primary", 70)], route.Rules[0].Destinations);
        Assert.Equal(
            [new HeaderCondition("x-canary", HeaderMatchKind.Exact, "insider"), new HeaderCondition("user-agent", HeaderMatchKind.Regex, ".*Firefox")],
            Assert.Single(route.Rules[0].Matches));
        Assert.Same(route.Rules[0], route.RuleFor(new Dictionary<string, string> { ["x-canary"] = "insider", ["user-agent"] = "Mozilla Firefox" }));
        Assert.Same(route.Rules[1], route.RuleFor(new Dictionary<string, string> { ["x-canary"] = "insider" }));
        Assert.Equal([new WeightedDestination("podinfo-primary", 100)], route.Rules[1].Destinations);
        Assert.Null(Find(ns, "backend"));
    }

    [Fact]
    public async Task V1beta1_reads_the_routes_of_the_virtual_service_named_after_the_host()
    {
        var ns = await AppMesh.SetUpAsync(fx, "am");
        await AppMesh.CreateAsync(fx, ns, "v1beta1", "virtualnodes",
            """{"metadata":{"name":"podinfo-canary"},"spec":{"meshName":"global","serviceDiscovery":{"dns":{"hostName":"podinfo-canary.<NS>"}}}}""");
        await AppMesh.CreateAsync(fx, ns, "v1beta1", "virtualnodes",
            """{"metadata":{"name":"podinfo-primary"},"spec":{"meshName":"global","serviceDiscovery":{"dns":{"hostName":"podinfo-primary.<NS>"}}}}""");
        await AppMesh.CreateAsync(fx, ns, "v1beta1", "virtualservices", """
            {"metadata":{"name":"podinfo.<NS>"},"spec":{"meshName":"global","virtualRouter":{"name":"podinfo"},"routes":[
              {"name":"podinfo","http":{"match":{"prefix":"/"},"action":{"weightedTargets":[
                {"virtualNodeName":"podinfo-canary","weight":10},{"virtualNodeName":"podinfo-primary","weight":90}]}}}]}}
            """);

        var stored = await fx.Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("appmesh.k8s.aws", "v1beta1", ns, "virtualservices", $"podinfo.{ns}",
            cancellationToken: TestContext.Current.CancellationToken);
        var route = Assert.IsType<Route>(Find(ns, "podinfo"));

        Assert.Equal("global", (string?)stored["spec"]?["meshName"]);
        Assert.Equal([new WeightedDestination("podinfo-canary", 10), new WeightedDestination("podinfo-primary", 90)], Assert.Single(route.Rules).Destinations);
    }
}

/// <summary>App Mesh objects for the simulator tests (the CRDs of <c>deploy/dev/appmesh-crds.yaml</c>).</summary>
internal static class AppMesh
{
    public static async Task<string> SetUpAsync(SimFixture fx, string prefix)
    {
        fx.Cluster.Apply(await File.ReadAllTextAsync(RepoFile("deploy", "dev", "appmesh-crds.yaml"), TestContext.Current.CancellationToken));
        return await fx.NamespaceAsync(prefix);
    }

    public static string NodeV1Beta2(string name, string ns) => """
        {"metadata":{"name":"<NAME>"},"spec":{"podSelector":{"matchLabels":{"app":"<NAME>"}},
          "listeners":[{"portMapping":{"port":9898,"protocol":"http"}}],"serviceDiscovery":{"dns":{"hostname":"<NAME>.<NS>.svc.cluster.local."}}}}
        """.Replace("<NAME>", name, StringComparison.Ordinal).Replace("<NS>", ns, StringComparison.Ordinal);

    /// <summary>Creates an App Mesh object from <paramref name="json"/>, where <c>&lt;NS&gt;</c> stands for the namespace.</summary>
    public static async Task CreateAsync(SimFixture fx, string ns, string version, string plural, string json)
    {
        var obj = JsonNode.Parse(json.Replace("<NS>", ns, StringComparison.Ordinal))!.AsObject();
        obj["apiVersion"] = $"appmesh.k8s.aws/{version}";
        obj["kind"] = plural switch { "virtualnodes" => "VirtualNode", "virtualrouters" => "VirtualRouter", _ => "VirtualService" };
        await fx.Client.CustomObjects.CreateNamespacedCustomObjectAsync(obj, "appmesh.k8s.aws", version, ns, plural,
            cancellationToken: TestContext.Current.CancellationToken);
    }

    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }
}
