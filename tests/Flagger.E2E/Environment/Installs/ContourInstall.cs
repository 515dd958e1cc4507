namespace Flagger.E2E.Environment.Installs;

/// <summary>Contour in a real cluster, as upstream's <c>test/contour/install.sh</c> installs it (Contour v1.23.0).</summary>
public static class ContourInstall
{
    public static ProviderInstall Steps { get; } = new("contour",
    [
        ["kubectl", "apply", "-f", "https://raw.githubusercontent.com/projectcontour/contour/v1.23.0/examples/render/contour.yaml"],
        ["kubectl", "-n", "projectcontour", "rollout", "status", "deployment/contour", "--timeout=5m"],
        ["kubectl", "-n", "projectcontour", "rollout", "status", "daemonset/envoy", "--timeout=5m"],
    ]);
}
