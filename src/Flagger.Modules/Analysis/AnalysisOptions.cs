using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis;

/// <summary>Controller-level settings of the analysis module (bound by the runtime from its command line / configuration).</summary>
public sealed class AnalysisOptions
{
    /// <summary>The configuration section the runtime binds.</summary>
    public const string Section = "Flagger";

    /// <summary>Global Prometheus for builtin metrics and inline queries (upstream <c>-metrics-server</c>).</summary>
    public string MetricsServer { get; set; } = "http://prometheus:9090";

    /// <summary>Global mesh provider (upstream <c>-mesh-provider</c>); selects the builtin metric observer.</summary>
    public string MeshProvider { get; set; } = CanaryDefaults.MeshProvider;

    /// <summary>Reject MetricTemplate references to other namespaces (upstream <c>-no-cross-namespace-refs</c>).</summary>
    public bool NoCrossNamespaceRefs { get; set; }

    /// <summary>Upper bound of one metric check, on top of each provider's own request timeout.</summary>
    public TimeSpan MetricCheckTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
