using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// Skipper's Kubernetes ingress data client (class <c>skipper</c>): requests for a Service arrive through the first
/// Ingress (by name) with a path to it. Of the Ingresses with a route for the same host and path, the one whose
/// <c>zalando.org/skipper-predicate</c> has the highest <c>Weight(n)</c> wins, unless <c>False()</c> disables its routes.
/// The winner's backends for that path split by <c>zalando.org/backend-weights</c> (a backend without a weight gets
/// nothing, all without weights share equally). Each destination names its Skipper route id, which the exporter uses as
/// the <c>route</c> label.
/// </summary>
// upstream: pkg/router/skipper.go writes the weights and predicates; route ids follow skipper's kube_<ns>__<ingress>__<host>__<path>__<backend>.
internal sealed partial class SkipperRouteTable : IRouteTable
{
    public const string IngressClass = "skipper";
    private const string PredicateAnnotation = "zalando.org/skipper-predicate";
    private const string BackendWeightsAnnotation = "zalando.org/backend-weights";

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var ingresses = IngressPaths.OfClass(store, ns, IngressClass).ToList();
        foreach (var entry in ingresses)
        {
            if (IngressPaths.Of(entry).FirstOrDefault(p => p.Service == service) is not { } path)
            {
                continue;
            }

            var winner = ingresses
                .Where(i => !Disabled(i) && IngressPaths.Of(i).Any(p => p.Host == path.Host && p.Path == path.Path))
                .OrderByDescending(PredicateWeight)
                .ThenBy(i => i == entry ? 0 : 1)
                .FirstOrDefault();
            if (winner is null)
            {
                // Every route of this host and path is disabled: Skipper answers 404.
                return new Route([]);
            }

            var backends = IngressPaths.Of(winner).Where(p => p.Host == path.Host && p.Path == path.Path).Select(p => p.Service).Distinct().ToList();
            var weights = BackendWeights(winner);
            var destinations = backends
                .Select(b => new WeightedDestination(b, weights.GetValueOrDefault(b), SkipperVia.Format(RouteId(ns, winner.Name, path.Host, path.Path, b))))
                .ToList();
            if (destinations.All(d => d.Weight <= 0))
            {
                destinations = [.. destinations.Select(d => d with { Weight = 1 })];
            }

            return new Route([new RouteRule([], destinations, null)]);
        }

        return null;
    }

    /// <summary>Skipper's route id: <c>kube_&lt;ns&gt;__&lt;ingress&gt;__&lt;host&gt;__&lt;path&gt;__&lt;backend&gt;</c>, non-word characters as <c>_</c>.</summary>
    public static string RouteId(string ns, string ingress, string host, string path, string backend) =>
        NonWord().Replace($"kube_{ns}__{ingress}__{host}__{path}__{backend}", "_");

    private static bool Disabled(StoredObject ingress) => Predicates(ingress).Contains("False()");

    private static double PredicateWeight(StoredObject ingress) =>
        Predicates(ingress).Select(p => WeightPredicate().Match(p)).Where(m => m.Success)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    private static List<string> Predicates(StoredObject ingress) =>
        [.. (IngressPaths.Annotation(ingress, PredicateAnnotation) ?? "").Split("&&").Select(p => p.Trim()).Where(p => p.Length > 0)];

    private static Dictionary<string, double> BackendWeights(StoredObject ingress)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, double>>(IngressPaths.Annotation(ingress, BackendWeightsAnnotation) ?? "{}") ?? [];
        }
        catch (JsonException)
        {
            // Skipper ignores an unreadable annotation (and logs it).
            return [];
        }
    }

    [GeneratedRegex(@"\W")]
    private static partial Regex NonWord();

    [GeneratedRegex(@"^Weight\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)$")]
    private static partial Regex WeightPredicate();
}

/// <summary>How the Skipper route names its requests for <see cref="Exporters.SkipperExporter"/>: the route id.</summary>
internal static class SkipperVia
{
    private const string Tag = "skipper/";

    public static string Format(string routeId) => Tag + routeId;

    public static bool TryParse(string? via, out string routeId)
    {
        routeId = via is not null && via.StartsWith(Tag, StringComparison.Ordinal) ? via[Tag.Length..] : "";
        return routeId.Length > 0;
    }
}
