using Flagger.Modules.Shared.Crd;

namespace Flagger.Runtime.Configuration;

/// <summary>
/// The operator's settings, one property per upstream flag (<c>cmd/flagger/main.go</c>), bound from the
/// <c>Flagger</c> configuration section. Command-line flags, environment variables and appsettings all land there.
/// Module options (analysis, routing, alerting…) bind from the same section, so one flag name means one setting.
/// </summary>
public sealed class FlaggerOptions
{
    public const string Section = "Flagger";

    public string? Kubeconfig { get; set; }

    public string? Master { get; set; }

    public int KubeconfigQps { get; set; } = 100;

    public int KubeconfigBurst { get; set; } = 250;

    public string MetricsServer { get; set; } = "http://prometheus:9090";

    public string MeshProvider { get; set; } = CanaryDefaults.MeshProvider;

    public string SelectorLabels { get; set; } = "app,name,app.kubernetes.io/name";

    public string IncludeLabelPrefix { get; set; } = "";

    /// <summary>Watch one namespace only; empty = all namespaces.</summary>
    public string? Namespace { get; set; }

    public bool EnableConfigTracking { get; set; } = true;

    public string IngressAnnotationsPrefix { get; set; } = "nginx.ingress.kubernetes.io";

    public string IngressClass { get; set; } = "";

    public bool EnableLeaderElection { get; set; }

    public string LeaderElectionNamespace { get; set; } = "kube-system";

    /// <summary>
    /// <c>-threadiness</c>: how many canary steps run at once (at least 1). Waiting on webhooks and metric queries
    /// happens outside a step, so a step is cache reads and a few writes.
    /// </summary>
    public int Threadiness { get; set; } = 2;

    public string EventWebhook { get; set; } = "";

    public string ClusterName { get; set; } = "";

    public bool NoCrossNamespaceRefs { get; set; }

    public string SlackUrl { get; set; } = "";

    public string SlackToken { get; set; } = "";

    public string SlackProxyUrl { get; set; } = "";

    public string SlackUser { get; set; } = "flagger";

    public string SlackChannel { get; set; } = "";

    public string MsteamsUrl { get; set; } = "";

    public string MsteamsProxyUrl { get; set; } = "";

    public int Port { get; set; } = 8080;

    public string LogLevel { get; set; } = "debug";

    /// <summary>The floor of <c>analysis.interval</c> (upstream: 10s); tests lower it to run rollouts quickly.</summary>
    public TimeSpan MinAnalysisInterval { get; set; } = TimeSpan.FromSeconds(10);
}
