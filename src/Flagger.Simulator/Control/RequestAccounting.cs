using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Flagger.Simulator.Control;

/// <summary>Counts API requests by verb, resource, namespace and user-agent since the last reset.</summary>
public sealed class RequestAccounting
{
    private readonly ConcurrentDictionary<(string Verb, string Resource, string Namespace, string UserAgent), long> counts = new();
    private DateTimeOffset since = DateTimeOffset.UtcNow;

    internal void Record(string verb, string resource, string? ns, string userAgent) =>
        counts.AddOrUpdate((verb, resource, ns ?? "", userAgent), 1, static (_, n) => n + 1);

    public void Reset()
    {
        counts.Clear();
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
