namespace Flagger.E2E.Environment.Installs;

/// <summary>Traefik 3.6 from its Helm chart with Prometheus metrics, as upstream's test/traefik/install.sh installs it.</summary>
public static class TraefikInstall
{
    /// <summary>The chart upstream pins (traefik 3.6.2).</summary>
    public const string ChartVersion = "37.4.0";

    public static ProviderInstall Steps { get; } = new("traefik",
    [
        ["kubectl", "create", "namespace", "traefik"],
        ["helm", "repo", "add", "traefik", "https://helm.traefik.io/traefik"],
        ["helm", "upgrade", "-i", "traefik", "traefik/traefik", $"--version={ChartVersion}", "--wait", "--namespace", "traefik",
            "--set-string", @"deployment.podAnnotations.prometheus\.io/port=9100",
            "--set-string", @"deployment.podAnnotations.prometheus\.io/scrape=true",
            "--set-string", @"deployment.podAnnotations.prometheus\.io/path=/metrics",
            "--set", "metrics.prometheus.entryPoint=metrics",
            "--set", "service.enabled=true",
            "--set", "service.type=NodePort"],
        ["kubectl", "-n", "traefik", "rollout", "status", "deployment/traefik"],
    ]);
}
