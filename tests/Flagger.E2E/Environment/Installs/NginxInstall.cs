namespace Flagger.E2E.Environment.Installs;

/// <summary>
/// upstream: test/nginx/install.sh — the ingress-nginx Helm chart 4.1.3 (controller v1.2.1) with metrics and the
/// admission webhook, its pods annotated for Prometheus scraping. k3s ships Traefik as its default ingress; the
/// scenarios' Ingresses name the class <c>nginx</c>.
/// </summary>
public static class NginxInstall
{
    public static ProviderInstall Steps { get; } = new("nginx",
    [
        ["helm", "repo", "add", "ingress-nginx", "https://kubernetes.github.io/ingress-nginx", "--force-update"],
        ["helm", "upgrade", "-i", "ingress-nginx", "ingress-nginx/ingress-nginx", "--version=4.1.3", "--wait", "--timeout=5m",
            "--create-namespace", "--namespace", "ingress-nginx",
            "--set", "controller.metrics.enabled=true",
            "--set", "controller.admissionWebhooks.enabled=true",
            "--set", "controller.podAnnotations.prometheus\\.io/scrape=true",
            "--set", "controller.podAnnotations.prometheus\\.io/port=10254",
            "--set", "controller.service.type=NodePort"],
    ]);
}
