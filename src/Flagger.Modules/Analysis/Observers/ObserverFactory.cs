using Flagger.Modules.Shared.Providers;

namespace Flagger.Modules.Analysis.Observers;

/// <summary>Picks the builtin-metric observer for a metrics provider name, as upstream does.</summary>
// upstream: pkg/metrics/observers/factory.go, pkg/controller/scheduler_metrics.go (runBuiltinMetricChecks)
internal static class ObserverFactory
{
    /// <summary>Suffix upstream appends for Service targets (non-Knative): it sends most providers to the Istio queries.</summary>
    public const string ServiceSuffix = ":service";

    /// <summary>
    /// The metrics provider name: the global mesh provider (<c>crossover</c> when it contains "crossover"); the canary's
    /// <c>spec.provider</c> wins unless the global mesh provider contains "linkerd"; Service targets get <c>:service</c>.
    /// </summary>
    public static string MetricsProvider(string meshProvider, string? canaryProvider, string? targetKind, bool knativeTarget)
    {
        var provider = meshProvider.Contains("crossover", StringComparison.Ordinal) ? "crossover" : meshProvider;
        if (!string.IsNullOrEmpty(canaryProvider))
        {
            provider = meshProvider.Contains("linkerd", StringComparison.Ordinal) ? "linkerd" : canaryProvider;
        }

        if (targetKind == "Service" && !knativeTarget)
        {
            provider += ServiceSuffix;
        }

        return provider;
    }

    /// <summary>
    /// The observer for a metrics provider name. Names without their own observer (smi:*, crossover, <c>*:service</c> of
    /// exact-match providers) use the Istio queries, as upstream (quirk §12.8, kept).
    /// </summary>
    public static IMetricsObserver Create(string metricsProvider) => ProviderCatalog.MetricsObserverFor(metricsProvider) switch
    {
        "appmesh" => new AppMeshObserver(),
        "linkerd" => new LinkerdObserver(),
        "contour" => new ContourObserver(),
        "gloo" => new GlooObserver(),
        "nginx" => new NginxObserver(),
        "http" => new HttpObserver(),
        "skipper" => new SkipperObserver(),
        "traefik" => new TraefikObserver(),
        "osm" => new OsmObserver(),
        "kuma" => new KumaObserver(),
        "apisix" => new ApisixObserver(),
        "knative" => new KnativeObserver(),
        ProviderCatalog.IstioObserver => new IstioObserver(),
        var observer => throw new InvalidOperationException($"the provider catalog names observer \"{observer}\", which has no implementation"),
    };
}
