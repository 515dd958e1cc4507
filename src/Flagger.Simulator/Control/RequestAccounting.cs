using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Flagger.Simulator.Control;

/// <summary>
/// One kind of API request with the attributes an RBAC authorizer decides on: verb, API group, resource,
/// subresource, namespace and object name (empty for collections and creates), or a non-resource path such as
/// <c>/version</c> (then Group, Resource and Namespace are empty).
/// </summary>
public sealed record ApiRequest(
    string Verb, string Group, string Resource, string Subresource, string Namespace, string Name, string UserAgent, string NonResourcePath = "");

/// <summary>Counts API requests by verb, resource, namespace and user-agent since the last reset.</summary>
public sealed class RequestAccounting
{
    private readonly ConcurrentDictionary<(string Verb, string Resource, string Namespace, string UserAgent), long> counts = new();
    private readonly ConcurrentDictionary<ApiRequest, long> requests = new();
    private DateTimeOffset since = DateTimeOffset.UtcNow;

    internal void Record(string verb, string resource, string? ns, string userAgent) =>
        counts.AddOrUpdate((verb, resource, ns ?? "", userAgent), 1, static (_, n) => n + 1);

    internal void Record(ApiRequest request) => requests.AddOrUpdate(request, 1, static (_, n) => n + 1);

    /// <summary>
    /// Every distinct request (RBAC attributes plus user-agent) since the last reset, with its count — e.g. to check
    /// that each request a client made is allowed by a ClusterRole. Includes <c>GET /version</c>.
    /// </summary>
    public IReadOnlyDictionary<ApiRequest, long> Requests(string? userAgent = null) =>
        requests.Where(kv => userAgent is null || kv.Key.UserAgent.Contains(userAgent, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    public void Reset()
    {
        counts.Clear();
        requests.Clear();
        since = DateTimeOffset.UtcNow;
    }

    /// <summary>Total requests matching the filters (null matches all; userAgent is a substring).</summary>
    public long Count(string? verb = null, string? resource = null, string? ns = null, string? userAgent = null) =>
        counts.Where(kv => (verb is null || kv.Key.Verb == verb) && (resource is null || kv.Key.Resource == resource) &&
                           (ns is null || kv.Key.Namespace == ns) && (userAgent is null || kv.Key.UserAgent.Contains(userAgent, StringComparison.OrdinalIgnoreCase)))
            .Sum(kv => kv.Value);

    public JsonObject ToJson()
    {
        var snapshot = counts.ToArray();
        JsonObject Group(Func<(string Verb, string Resource, string Namespace, string UserAgent), string> key) =>
            new(snapshot.GroupBy(kv => key(kv.Key)).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Sum(kv => kv.Value))));
        return new JsonObject
        {
            ["since"] = since.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["total"] = snapshot.Sum(kv => kv.Value),
            ["byVerb"] = Group(k => k.Verb),
            ["byResource"] = Group(k => k.Resource),
            ["byNamespace"] = Group(k => k.Namespace),
            ["byUserAgent"] = Group(k => k.UserAgent),
            ["entries"] = new JsonArray(snapshot.OrderBy(kv => kv.Key.Verb + kv.Key.Resource, StringComparer.Ordinal).Select(kv => (JsonNode?)new JsonObject
            {
                ["verb"] = kv.Key.Verb,
                ["resource"] = kv.Key.Resource,
                ["namespace"] = kv.Key.Namespace,
                ["userAgent"] = kv.Key.UserAgent,
                ["count"] = kv.Value,
            }).ToArray()),
        };
    }
}
