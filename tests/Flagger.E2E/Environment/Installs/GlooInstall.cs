namespace Flagger.E2E.Environment.Installs;

/// <summary>Gloo Edge in a real cluster, as upstream's <c>test/gloo/install.sh</c> installs it (Gloo 1.14.10, discovery off).</summary>
public static class GlooInstall
{
    public static ProviderInstall Steps { get; } = new("gloo",
    [
        ["helm", "repo", "add", "gloo", "https://storage.googleapis.com/solo-public-helm", "--force-update"],
        ["helm", "upgrade", "-i", "gloo", "gloo/gloo", "--version", "1.14.10", "--namespace", "gloo-system", "--create-namespace",
            "--set", "discovery.enabled=false", "--wait", "--timeout", "5m"],
        ["kubectl", "-n", "gloo-system", "rollout", "status", "deployment/gloo", "--timeout=5m"],
    ]);
}
