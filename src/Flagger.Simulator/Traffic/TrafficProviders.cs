using Flagger.Simulator.Traffic.Exporters;
using Flagger.Simulator.Traffic.Routes;
using Prometheus;

namespace Flagger.Simulator.Traffic;

/// <summary>The simulator's provider seam: which route tables are asked (in order) and which meshes' series are exported.</summary>
internal static class TrafficProviders
{
    /// <summary>Provider route tables, first answer wins; the Service selector, which routes every Service, comes last.</summary>
    public static IReadOnlyList<IRouteTable> RouteTables() =>
    [
        new IstioRouteTable(),
        new ContourRouteTable(),
        new GlooRouteTable(),
        new NginxRouteTable(),
        new SkipperRouteTable(),
        new SmiRouteTable(),
        new KumaRouteTable(),
        new TraefikRouteTable(),
        new ApisixRouteTable(),
        new GatewayApiRouteTable(),
        new AppMeshRouteTable(),
        new KnativeRouteTable(),
        new ServiceSelectorRoute(),
    ];

    /// <summary>Every exporter records every request, so each provider's builtin queries find their series.</summary>
    public static IReadOnlyList<ITrafficExporter> Exporters(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        return
        [
            new IstioExporter(factory),
            new HttpExporter(factory),
            new EnvoyExporter(factory),
            new NginxExporter(factory),
            new SkipperExporter(factory),
            new LinkerdExporter(factory),
            new OsmExporter(factory),
            new TraefikExporter(factory),
            new ApisixExporter(factory),
        ];
    }
}
