using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic;

/// <summary>
/// Which Services send requests: a rate set through the control API wins over the Service's
/// <c>simulator.flagger.app/rps</c> and <c>simulator.flagger.app/headers</c> annotations.
/// </summary>
internal sealed class TrafficSources
{
    private readonly ConcurrentDictionary<(string Ns, string Service), TrafficSource> overrides = new();

    /// <summary>Sets (or with rps 0 clears) the request rate of a Service, overriding its annotation.</summary>
    public void Set(string ns, string service, TrafficSource source)
    {
        if (source.Rps <= 0)
        {
            overrides.TryRemove((ns, service), out _);
        }
        else
        {
            overrides[(ns, service)] = source;
        }
    }

    /// <summary>The source of a Service, or null when it sends no requests.</summary>
    public TrafficSource? Of(StoredObject svc)
    {
        if (overrides.TryGetValue((svc.Namespace!, svc.Name), out var o))
        {
            return o;
        }

        var annotations = svc.Metadata["annotations"] as JsonObject;
        if ((string?)annotations?[TrafficModel.RpsAnnotation] is not { } rpsText ||
            !double.TryParse(rpsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var rps) || rps <= 0)
        {
            return null;
        }

        return new TrafficSource(rps, ParseHeaders((string?)annotations?[TrafficModel.HeadersAnnotation]));
    }

    /// <summary>Parses <c>name=value:fraction;name2=value2:fraction</c>; malformed entries are ignored.</summary>
    public static IReadOnlyList<HeaderShare> ParseHeaders(string? text)
    {
        var list = new List<HeaderShare>();
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            var colon = part.LastIndexOf(':');
            if (eq > 0 && colon > eq && double.TryParse(part[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction))
            {
                list.Add(new HeaderShare(part[..eq].Trim().ToLowerInvariant(), part[(eq + 1)..colon].Trim(), Math.Clamp(fraction, 0, 1)));
            }
        }

        return list;
    }

    /// <summary>The overrides set through the control API, for <c>GET /simulator/traffic</c>.</summary>
    public JsonArray Describe()
    {
        var sources = new JsonArray();
        foreach (var ((ns, service), source) in overrides)
        {
            sources.Add(new JsonObject
            {
                ["namespace"] = ns,
                ["service"] = service,
                ["rps"] = source.Rps,
                ["headers"] = string.Join(";", source.Headers.Select(h => $"{h.Name}={h.Value}:{h.Fraction.ToString(CultureInfo.InvariantCulture)}")),
            });
        }

        return sources;
    }
}
