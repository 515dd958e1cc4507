using System.Text.Json.Serialization;

namespace Flagger.Simulator.Control;

/// <summary>
/// One fault rule: requests matching every non-null filter get an HTTP error, extra latency, or a dropped watch,
/// for the first <see cref="Count"/> matches and/or with a <see cref="Probability"/>.
/// </summary>
public sealed record FaultRule
{
    /// <summary>Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.</summary>
    public string? Verb { get; init; }

    /// <summary>Resource plural, optionally with a subresource (<c>deployments/status</c>).</summary>
    public string? Resource { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    /// <summary>Substring of the User-Agent header (the client).</summary>
    public string? UserAgent { get; init; }

    /// <summary>HTTP status to answer with: 500, 409, 429, 503, 401, 403 or 404.</summary>
    public int? Status { get; init; }

    /// <summary>Extra latency before the request is handled.</summary>
    public int LatencyMs { get; init; }

    /// <summary>For watches: accept and close the stream at once (a dropped watch).</summary>
    public bool DropWatch { get; init; }

    /// <summary>How many matching requests the rule applies to (null: unlimited).</summary>
    public int? Count { get; init; }

    /// <summary>Chance (0..1) that a matching request is affected (null: always).</summary>
    public double? Probability { get; init; }

    [JsonIgnore]
    internal int Used;

    public string Describe() =>
        $"verb={Verb ?? "*"} resource={Resource ?? "*"} name={Name ?? "*"} status={Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} latencyMs={LatencyMs} dropWatch={DropWatch}";
}

/// <summary>Holds the active fault rules and decides which one (if any) hits a request.</summary>
public sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<FaultRule> rules = [];

    public static readonly int[] AllowedStatuses = [500, 409, 429, 503, 401, 403, 404];

    /// <summary>Adds a rule after validating it; returns an error text naming the bad field, or null.</summary>
    public string? Add(FaultRule rule)
    {
        if (rule.Status is { } s && !AllowedStatuses.Contains(s))
        {
            return $"status: Unsupported value: {s}: supported values: 500, 409, 429, 503, 401, 403, 404";
        }

        if (rule.Probability is < 0 or > 1)
        {
            return "probability: Invalid value: must be between 0 and 1";
        }

        if (rule.Count is < 0)
        {
            return "count: Invalid value: must be non-negative";
        }

        if (rule.LatencyMs < 0)
        {
            return "latencyMs: Invalid value: must be non-negative";
        }

        if (rule.Status is null && rule.LatencyMs == 0 && !rule.DropWatch)
        {
            return "status: Required value: a rule needs status, latencyMs or dropWatch";
        }

        lock (gate)
        {
            rules.Add(rule);
        }

        return null;
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    public IReadOnlyList<FaultRule> Rules()
    {
        lock (gate)
        {
            return [.. rules];
        }
    }

    internal FaultRule? Match(string verb, string resource, string? ns, string? name, string userAgent)
    {
        lock (gate)
        {
            if (rules.Count == 0)
            {
                return null;
            }

            foreach (var rule in rules)
            {
                if ((rule.Verb is null || rule.Verb == verb) &&
                    (rule.Resource is null || rule.Resource == resource || (rule.Resource == resource.Split('/')[0] && !resource.Contains('/'))) &&
                    (rule.Namespace is null || rule.Namespace == ns) &&
                    (rule.Name is null || rule.Name == name) &&
                    (rule.UserAgent is null || userAgent.Contains(rule.UserAgent, StringComparison.OrdinalIgnoreCase)) &&
                    (rule.Count is null || rule.Used < rule.Count) &&
                    (rule.Probability is null || Random.Shared.NextDouble() < rule.Probability))
                {
                    rule.Used++;
                    return rule;
                }
            }

            return null;
        }
    }

    internal static string ReasonFor(int code) => code switch
    {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        _ => "InternalError",
    };
}
