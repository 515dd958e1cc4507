using System.Globalization;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// The NGINX ingress controller (class <c>nginx</c>, annotation prefix <c>nginx.ingress.kubernetes.io</c>): requests
/// for a Service arrive through the first Ingress (by name) with a path to it that is not a canary Ingress. A canary
/// Ingress (<c>canary: "true"</c>) with the same host and path takes, in ingress-nginx's order, the requests whose
/// <c>canary-by-header</c> matches (its <c>-value</c>, its <c>-pattern</c>, or <c>always</c>; <c>never</c> keeps them
/// on the main backend), then those with cookie <c>canary-by-cookie</c> = <c>always</c> (or <c>never</c>), then
/// <c>canary-weight</c> out of <c>canary-weight-total</c> (100) of the rest.
/// </summary>
// upstream: pkg/router/ingress.go writes these annotations; the semantics follow ingress-nginx's canary documentation.
internal sealed class NginxRouteTable : IRouteTable
{
    public const string IngressClass = "nginx";
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    public Route? Find(ClusterStore store, string ns, string service)
    {
        var ingresses = IngressPaths.OfClass(store, ns, IngressClass).ToList();
        foreach (var main in ingresses.Where(i => !IsCanary(i)))
        {
            if (IngressPaths.Of(main).FirstOrDefault(p => p.Service == service) is not { } path)
            {
                continue;
            }

            var mainDestination = new WeightedDestination(service, 1, NginxVia.Format(main.Name, service, ""));
            var canary = ingresses.Where(IsCanary)
                .Select(c => (Ingress: c, Path: IngressPaths.Of(c).FirstOrDefault(p => p.Host == path.Host && p.Path == path.Path)))
                .FirstOrDefault(c => c.Path is not null);
            if (canary.Path is null)
            {
                return new Route([new RouteRule([], [mainDestination], null)]);
            }

            var upstream = $"{ns}-{canary.Path.Service}-{canary.Path.Port}";
            var canaryDestination = new WeightedDestination(canary.Path.Service, 1, NginxVia.Format(main.Name, service, upstream));
            return new Route(Rules(canary.Ingress, mainDestination, canaryDestination));
        }

        return null;
    }

    private static List<RouteRule> Rules(StoredObject canary, WeightedDestination main, WeightedDestination canaryDestination)
    {
        var rules = new List<RouteRule>();
        if (Annotation(canary, "canary-by-header") is { Length: > 0 } header)
        {
            var name = header.ToLowerInvariant();
            if (Annotation(canary, "canary-by-header-value") is { Length: > 0 } value)
            {
                rules.Add(To(canaryDestination, new HeaderCondition(name, HeaderMatchKind.Exact, value)));
            }
            else if (Annotation(canary, "canary-by-header-pattern") is { Length: > 0 } pattern)
            {
                // ingress-nginx searches the value for the pattern (not anchored).
                rules.Add(To(canaryDestination, new HeaderCondition(name, HeaderMatchKind.Regex, $".*(?:{pattern}).*")));
            }
            else
            {
                rules.Add(To(canaryDestination, new HeaderCondition(name, HeaderMatchKind.Exact, "always")));
                rules.Add(To(main, new HeaderCondition(name, HeaderMatchKind.Exact, "never")));
            }
        }

        if (Annotation(canary, "canary-by-cookie") is { Length: > 0 } cookie)
        {
            rules.Add(To(canaryDestination, CookieIs(cookie, "always")));
            rules.Add(To(main, CookieIs(cookie, "never")));
        }

        var total = Number(canary, "canary-weight-total") ?? 100;
        var weight = Math.Clamp(Number(canary, "canary-weight") ?? 0, 0, total);
        rules.Add(new RouteRule([], [main with { Weight = total - weight }, canaryDestination with { Weight = weight }], null));
        return rules;
    }

    private static RouteRule To(WeightedDestination destination, HeaderCondition condition) => new([[condition]], [destination], null);

    private static HeaderCondition CookieIs(string cookie, string value) =>
        new("cookie", HeaderMatchKind.Regex, $"(.*;\\s*)?{System.Text.RegularExpressions.Regex.Escape(cookie)}={value}(;.*)?");

    private static bool IsCanary(StoredObject ingress) => Annotation(ingress, "canary") == "true";

    private static string? Annotation(StoredObject ingress, string suffix) => IngressPaths.Annotation(ingress, Prefix + suffix);

    private static double? Number(StoredObject ingress, string suffix) =>
        double.TryParse(Annotation(ingress, suffix), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : null;
}

/// <summary>
/// How the NGINX route names its requests for <see cref="Exporters.NginxExporter"/>: the main Ingress and Service (the
/// location that received them) and the canary upstream (<c>&lt;ns&gt;-&lt;service&gt;-&lt;port&gt;</c>, empty when the
/// main backend served them), as ingress-nginx labels <c>ingress</c>, <c>service</c> and <c>canary</c>.
/// </summary>
internal static class NginxVia
{
    private const string Tag = "nginx/";

    public static string Format(string ingress, string service, string canaryUpstream) => $"{Tag}{ingress}/{service}/{canaryUpstream}";

    public static bool TryParse(string? via, out string ingress, out string service, out string canaryUpstream)
    {
        ingress = service = canaryUpstream = "";
        if (via is null || !via.StartsWith(Tag, StringComparison.Ordinal) || via[Tag.Length..].Split('/') is not [var i, var s, var c])
        {
            return false;
        }

        (ingress, service, canaryUpstream) = (i, s, c);
        return true;
    }
}
