using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// App Mesh (<c>appmesh.k8s.aws</c>): the VirtualService a client reaches as <c>&lt;service&gt;.&lt;ns&gt;</c> — in v1beta2
/// the one named <c>&lt;service&gt;</c> (or whose <c>awsName</c> is that host), in v1beta1 the one named
/// <c>&lt;service&gt;.&lt;ns&gt;</c> — and its routes: v1beta2 through the VirtualRouter its provider names (or straight to
/// a VirtualNode), v1beta1 inline. Routes are tried by <c>priority</c> (lowest first, unprioritised last); their weighted
/// targets are VirtualNodes, whose DNS service discovery host names the Service that receives the requests.
/// </summary>
// upstream: pkg/router/appmesh.go and appmesh_v1beta2.go write these objects; the reading follows App Mesh's routing rules.
internal sealed class AppMeshRouteTable : IRouteTable
{
    private const string Group = "appmesh.k8s.aws";

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var services = Type(store, "virtualservices");
        if (services is null)
        {
            return null;
        }

        var host = $"{service}.{ns}";
        var vs = store.Scan(services, ns)
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .FirstOrDefault(v => v.Name == host || (IsV1Beta2(v) && (Str(v.Node["spec"]?["awsName"]) ?? $"{v.Name}.{ns}") == host));
        if (vs is null)
        {
            return null;
        }

        var nodes = Type(store, "virtualnodes");
        string? ServiceOf(string? node) => node is null || nodes is null ? null : NodeService(store.Scan(nodes, ns).FirstOrDefault(n => n.Name == node));

        if (!IsV1Beta2(vs))
        {
            return new Route(Rules(vs.Node["spec"]?["routes"] as JsonArray, "http", "virtualNodeName", ServiceOf));
        }

        var provider = vs.Node["spec"]?["provider"];
        if (Str(provider?["virtualNode"]?["virtualNodeRef"]?["name"]) is { } directNode)
        {
            return ServiceOf(directNode) is { } direct ? new Route([new RouteRule([], [new WeightedDestination(direct, 1)], null)]) : new Route([]);
        }

        var routerName = Str(provider?["virtualRouter"]?["virtualRouterRef"]?["name"]);
        var routers = Type(store, "virtualrouters");
        var router = routerName is null || routers is null ? null : store.Scan(routers, ns).FirstOrDefault(r => r.Name == routerName);
        return new Route(router is null ? [] : Rules(router.Node["spec"]?["routes"] as JsonArray, "httpRoute", "virtualNodeRef", ServiceOf));
    }

    /// <summary>v1beta2 virtual services name a provider; v1beta1 ones carry a mesh name and routes.</summary>
    private static bool IsV1Beta2(StoredObject vs) =>
        vs.Node["spec"]?["meshName"] is null && vs.Node["spec"]?["routes"] is null;

    private static ResourceType? Type(ClusterStore store, string plural) =>
        store.FindType(Group, "v1beta2", plural) ?? store.FindType(Group, "v1beta1", plural);

    /// <summary>The Service a VirtualNode's DNS host name resolves to (its first label), or null.</summary>
    private static string? NodeService(StoredObject? node)
    {
        var dns = node?.Node["spec"]?["serviceDiscovery"]?["dns"];
        var host = Str(dns?["hostname"]) ?? Str(dns?["hostName"]);
        return string.IsNullOrEmpty(host) ? null : host.Split('.')[0];
    }

    private static List<RouteRule> Rules(JsonArray? routes, string httpKey, string targetKey, Func<string?, string?> serviceOf) =>
        (routes ?? [])
            .OfType<JsonObject>()
            .Select((r, index) => (Route: r, Index: index, Priority: Num(r["priority"]) ?? double.MaxValue))
            .OrderBy(r => r.Priority)
            .ThenBy(r => r.Index)
            .Select(r => r.Route[httpKey] as JsonObject)
            .OfType<JsonObject>()
            .Select(http => new RouteRule(
                Matches(http["match"]?["headers"] as JsonArray),
                (http["action"]?["weightedTargets"] as JsonArray ?? [])
                    .OfType<JsonObject>()
                    .Select(t => (Service: serviceOf(targetKey == "virtualNodeName" ? Str(t[targetKey]) : Str(t[targetKey]?["name"])), Weight: Num(t["weight"]) ?? 0))
                    .Where(t => t.Service is not null)
                    .Select(t => new WeightedDestination(t.Service!, t.Weight))
                    .ToList(),
                null))
            .ToList();

    /// <summary>All header conditions of a route hold together (one alternative); none means every request.</summary>
    private static List<IReadOnlyList<HeaderCondition>> Matches(JsonArray? headers) =>
        headers is not { Count: > 0 } ? [] : [headers.Select(Condition).ToList()];

    private static HeaderCondition Condition(JsonNode? header)
    {
        var name = (Str(header?["name"]) ?? "").ToLowerInvariant();
        var match = header?["match"];
        if (header?["invert"] is JsonValue invert && invert.TryGetValue<bool>(out var inverted) && inverted)
        {
            return new HeaderCondition(name, HeaderMatchKind.Unsupported, "");
        }

        return Str(match?["exact"]) is { } exact ? new HeaderCondition(name, HeaderMatchKind.Exact, exact)
            : Str(match?["prefix"]) is { } prefix ? new HeaderCondition(name, HeaderMatchKind.Prefix, prefix)
            : Str(match?["regex"]) is { } regex ? new HeaderCondition(name, HeaderMatchKind.Regex, regex)
            : Str(match?["suffix"]) is { } suffix ? new HeaderCondition(name, HeaderMatchKind.Regex, ".*" + Regex.Escape(suffix))
            // App Mesh: a header condition without a match method only needs the header to be present.
            : match is null ? new HeaderCondition(name, HeaderMatchKind.Regex, ".*")
            : new HeaderCondition(name, HeaderMatchKind.Unsupported, "");
    }

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
