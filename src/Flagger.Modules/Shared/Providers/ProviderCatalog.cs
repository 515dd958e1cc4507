namespace Flagger.Modules.Shared.Providers;

/// <summary>Where a routing provider can mirror traffic to the canary.</summary>
public enum MirroringSupport
{
    /// <summary><c>analysis.mirror</c> is not supported.</summary>
    None,

    /// <summary>Only in blue/green runs (<c>iterations &gt; 0</c>), as Gateway API's RequestMirror filter.</summary>
    BlueGreenOnly,

    /// <summary>Canary and blue/green runs (Istio <c>mirror</c>/<c>mirrorPercentage</c>).</summary>
    Any,
}

/// <summary>How a provider can compare a header or cookie value (<c>analysis.match[].headers.&lt;name&gt;</c>).</summary>
[Flags]
public enum StringMatchKinds
{
    /// <summary>No comparison.</summary>
    None = 0,

    /// <summary><c>exact</c>.</summary>
    Exact = 1,

    /// <summary><c>prefix</c>.</summary>
    Prefix = 2,

    /// <summary><c>suffix</c>.</summary>
    Suffix = 4,

    /// <summary><c>regex</c>.</summary>
    Regex = 8,

    /// <summary>Every kind of <c>StringMatch</c>.</summary>
    All = Exact | Prefix | Suffix | Regex,
}

/// <summary>A reference a provider cannot work without, e.g. NGINX's <c>spec.ingressRef</c>.</summary>
/// <param name="Field">The field path, as it appears in validation errors.</param>
/// <param name="Purpose">What the provider derives from it (shown in the error).</param>
public sealed record RequiredReference(string Field, string Purpose);

/// <summary>
/// What one routing provider (a <c>Canary.spec.provider</c> value) can do. Whether it is <em>implemented</em> is not a
/// capability: the routing factory alone answers that.
/// </summary>
/// <param name="Name">The <c>spec.provider</c> value (<c>smi:&lt;version&gt;</c> rows also match <c>smi:&lt;version&gt;:&lt;mesh&gt;</c>).</param>
/// <param name="ProgressiveTraffic">Weights shift step by step (canary strategy); false for blue/green-only providers.</param>
/// <param name="HeaderMatching">A/B testing on request headers (<c>analysis.match[].headers</c>).</param>
/// <param name="CookieMatching">A/B testing on cookies.</param>
/// <param name="Mirroring">Where traffic mirroring (<c>analysis.mirror</c>) works.</param>
/// <param name="SessionAffinity"><c>analysis.sessionAffinity</c> (sticky canary cookie).</param>
/// <param name="PrimarySessionCookie"><c>sessionAffinity.primaryCookieName</c> as well.</param>
/// <param name="RoutesBeforePrimary">Routes must exist before the primary is created (App Mesh).</param>
/// <param name="MetricsObserver">The builtin-metric observer whose queries <c>request-success-rate</c>/<c>request-duration</c> use.</param>
/// <param name="ObserverForAllVariants">
/// Every metrics-provider name that starts with this row's family (the name before <c>:</c>), e.g. <c>gloo:service</c>
/// or <c>gatewayapi</c>, also uses <see cref="MetricsObserver"/> (upstream matches these by prefix); other rows match exactly.
/// </param>
/// <param name="RequiredReferences">References validation demands for this provider.</param>
/// <param name="HeaderMatchKinds">How <c>analysis.match[].headers</c> values can be compared (when <see cref="HeaderMatching"/>).</param>
/// <param name="CookieMatchKinds">How a <c>cookie</c> match value can be compared (when <see cref="CookieMatching"/>).</param>
public sealed record RoutingProviderCapabilities(
    string Name,
    bool ProgressiveTraffic,
    bool HeaderMatching,
    bool CookieMatching,
    MirroringSupport Mirroring,
    bool SessionAffinity,
    bool PrimarySessionCookie,
    bool RoutesBeforePrimary,
    string MetricsObserver,
    bool ObserverForAllVariants,
    IReadOnlyList<RequiredReference> RequiredReferences,
    StringMatchKinds HeaderMatchKinds = StringMatchKinds.All,
    StringMatchKinds CookieMatchKinds = StringMatchKinds.All)
{
    /// <summary>The name before the first <c>:</c> (<c>gatewayapi</c> for <c>gatewayapi:v1</c>).</summary>
    public string Family => Name.Split(':')[0];

    /// <summary>A/B testing of any kind (headers or cookies).</summary>
    public bool AbTesting => HeaderMatching || CookieMatching;
}

/// <summary>
/// The one list of routing providers and their capabilities (upstream Flagger v1.44, inventory §3.1). The validator,
/// the state machine, the metric observers and the routing factory read it; no other list of provider names exists.
/// </summary>
// upstream: pkg/router/factory.go (provider names), docs/gitbook/usage/deployment-strategies.md (support matrix)
public static class ProviderCatalog
{
    private static readonly RequiredReference IngressRef = new("spec.ingressRef", "the Ingress to derive the canary Ingress from");
    private static readonly RequiredReference RouteRef = new("spec.routeRef", "the ApisixRoute to derive the canary route from");
    private static readonly RequiredReference MeshName = new("spec.service.meshName", "the App Mesh mesh of the virtual nodes and services");
    private static readonly RequiredReference GatewayRefs = new("spec.service.gatewayRefs", "the parents the HTTPRoute attaches to");

    // upstream: pkg/router/{gateway_api,gloo,ingress}.go map exact and regex only; contour.go exact, prefix and suffix
    // (as "contains"); ingress.go reads a cookie's exact value only.
    private const StringMatchKinds ExactOrRegex = StringMatchKinds.Exact | StringMatchKinds.Regex;

    /// <summary>The observer of Istio's standard metrics, upstream's fallback for names without their own.</summary>
    public const string IstioObserver = "istio";

    /// <summary>Every routing provider upstream accepts, in the CRD's (alphabetical) order.</summary>
    public static IReadOnlyList<RoutingProviderCapabilities> Routers { get; } =
    [
        Row("apisix", progressive: true, observer: "apisix", refs: [RouteRef]),
        Row("appmesh", progressive: true, headers: true, routesBeforePrimary: true, observer: "appmesh", observerForAllVariants: true, refs: [MeshName]),
        Row("appmesh:v1beta2", progressive: true, headers: true, routesBeforePrimary: true, observer: "appmesh", observerForAllVariants: true),
        Row("contour", progressive: true, headers: true, observer: "contour", headerMatches: StringMatchKinds.Exact | StringMatchKinds.Prefix | StringMatchKinds.Suffix),
        Row("gatewayapi:v1", progressive: true, headers: true, cookies: true, mirroring: MirroringSupport.BlueGreenOnly, affinity: true, primaryCookie: true, observer: "http", observerForAllVariants: true, refs: [GatewayRefs], headerMatches: ExactOrRegex, cookieMatches: ExactOrRegex),
        Row("gatewayapi:v1beta1", progressive: true, headers: true, cookies: true, mirroring: MirroringSupport.BlueGreenOnly, affinity: true, observer: "http", observerForAllVariants: true, refs: [GatewayRefs], headerMatches: ExactOrRegex, cookieMatches: ExactOrRegex),
        Row("gloo", progressive: true, headers: true, observer: "gloo", observerForAllVariants: true, headerMatches: ExactOrRegex),
        Row("istio", progressive: true, headers: true, cookies: true, mirroring: MirroringSupport.Any, affinity: true, primaryCookie: true, observer: "istio"),
        Row("knative", progressive: true, observer: "knative"),
        Row("kubernetes", progressive: false, observer: "http"),
        Row("kuma", progressive: true, observer: "kuma"),
        Row("linkerd", progressive: true, observer: "linkerd"),
        Row("nginx", progressive: true, headers: true, cookies: true, observer: "nginx", refs: [IngressRef], headerMatches: ExactOrRegex, cookieMatches: StringMatchKinds.Exact),
        Row("osm", progressive: true, observer: "osm"),
        Row("skipper", progressive: true, observer: "skipper", refs: [IngressRef]),
        Row("smi:v1alpha1", progressive: true, observer: "istio"),
        Row("smi:v1alpha2", progressive: true, observer: "istio"),
        Row("smi:v1alpha3", progressive: true, observer: "istio"),
        Row("traefik", progressive: true, observer: "traefik"),
    ];

    /// <summary>
    /// Canary fields that only some providers read, with the provider families (<see cref="RoutingProviderCapabilities.Family"/>)
    /// that read them. Set with any other provider, the field does nothing: validation warns (an event, not an error,
    /// since upstream accepted it and a provider switch may be under way).
    /// </summary>
    // upstream: pkg/router (each router reads its own fields), inventory §1 field tables
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ProviderSpecificFields { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["spec.ingressRef"] = ["nginx", "skipper"],
        ["spec.routeRef"] = ["apisix"],
        ["spec.upstreamRef"] = ["gloo"],
        ["spec.service.gatewayRefs"] = ["gatewayapi"],
        ["spec.service.mirror"] = ["gatewayapi"],
        ["spec.service.meshName"] = ["appmesh"],
        ["spec.service.backends"] = ["appmesh"],
        ["spec.service.delegation"] = ["istio"],
    };

    /// <summary>The provider names, in catalog order (the CRD's enum of <c>spec.provider</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Routers.Select(r => r.Name)];

    /// <summary>
    /// The row of <paramref name="provider"/>, or null when upstream does not know it. Also accepts the forms only the
    /// global <c>-mesh-provider</c> flag can carry, <c>smi:&lt;version&gt;:&lt;mesh&gt;</c> and <c>gloo:&lt;namespace&gt;</c>. Unversioned
    /// <c>gatewayapi</c> and <c>smi</c> are unknown (upstream silently fell back to Istio for them; we report them).
    /// </summary>
    // upstream: pkg/router/factory.go, MeshRouter switch
    public static RoutingProviderCapabilities? Find(string? provider)
    {
        if (string.IsNullOrEmpty(provider))
        {
            return null;
        }

        if (Routers.FirstOrDefault(r => r.Name == provider) is { } row)
        {
            return row;
        }

        // upstream: any provider starting with "gloo" is the Gloo router (e.g. the older "gloo:<namespace>" spelling)
        var parts = provider.Split(':');
        return parts switch
        {
            ["smi", var version, { Length: > 0 }] => Routers.FirstOrDefault(r => r.Name == $"smi:{version}"),
            ["gloo", { Length: > 0 }] => Routers.FirstOrDefault(r => r.Name == "gloo"),
            _ => null,
        };
    }

    /// <summary>
    /// The builtin-metric observer for a metrics-provider name (a provider name, possibly with upstream's
    /// <c>:service</c> suffix, or <c>crossover</c>): the exact row's observer, else the observer of a row whose variants
    /// it names, else <c>istio</c> (upstream's fallback, quirk §12.8, kept).
    /// </summary>
    // upstream: pkg/metrics/observers/factory.go
    public static string MetricsObserverFor(string metricsProvider)
    {
        var row = Routers.FirstOrDefault(r => r.Name == metricsProvider)
            ?? Routers.FirstOrDefault(r => r.ObserverForAllVariants && metricsProvider.StartsWith(r.Family, StringComparison.Ordinal));
        return row?.MetricsObserver ?? IstioObserver;
    }

    /// <summary>
    /// The catalog name a routing provider's router and watches are registered under: the row <see cref="Find"/> answers
    /// (<c>gloo:ns</c> → <c>gloo</c>), else the name as written (<c>none</c>, unknown names).
    /// </summary>
    public static string RouterName(string provider) => Find(provider)?.Name ?? provider;

    /// <summary>Whether <paramref name="provider"/> names a routing provider upstream knows (see <see cref="Find"/>).</summary>
    public static bool IsKnown(string? provider) => Find(provider) is not null;

    private static RoutingProviderCapabilities Row(
        string name,
        bool progressive,
        string observer,
        bool headers = false,
        bool cookies = false,
        MirroringSupport mirroring = MirroringSupport.None,
        bool affinity = false,
        bool primaryCookie = false,
        bool routesBeforePrimary = false,
        bool observerForAllVariants = false,
        RequiredReference[]? refs = null,
        StringMatchKinds headerMatches = StringMatchKinds.All,
        StringMatchKinds cookieMatches = StringMatchKinds.All) =>
        new(name, progressive, headers, cookies, mirroring, affinity, primaryCookie, routesBeforePrimary, observer, observerForAllVariants, refs ?? [],
            headerMatches, cookieMatches);
}
