namespace Flagger.E2E.Environment.Installs;

/// <summary>APISIX 2.15 with its ingress controller and the prometheus plugin exporter, as upstream's test/apisix/install.sh installs it.</summary>
public static class ApisixInstall
{
    /// <summary>The chart upstream pins (apisix 2.15.1).</summary>
    public const string ChartVersion = "0.11.3";

    public static ProviderInstall Steps { get; } = new("apisix",
    [
        ["kubectl", "create", "namespace", "apisix"],
        ["helm", "repo", "add", "apisix", "https://charts.apiseven.com"],
        ["helm", "upgrade", "-i", "apisix", "apisix/apisix", $"--version={ChartVersion}", "--namespace", "apisix",
            "--set", "etcd.image.repository=bitnamilegacy/etcd",
            "--set-string", @"apisix.podAnnotations.prometheus\.io/scrape=true",
            "--set-string", @"apisix.podAnnotations.prometheus\.io/port=9091",
            "--set-string", @"apisix.podAnnotations.prometheus\.io/path=/apisix/prometheus/metrics",
            "--set", "pluginAttrs.prometheus.export_addr.ip=0.0.0.0",
            "--set", "pluginAttrs.prometheus.export_addr.port=9091",
            "--set", "pluginAttrs.prometheus.export_uri=/apisix/prometheus/metrics",
            "--set", "pluginAttrs.prometheus.metric_prefix=apisix_",
            "--set", "ingress-controller.enabled=true",
            "--set", "ingress-controller.config.apisix.serviceNamespace=apisix"],
        ["kubectl", "-n", "apisix", "rollout", "status", "deployment/apisix"],
    ]);
}
