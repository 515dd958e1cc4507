namespace Flagger.E2E.Environment.Installs;

/// <summary>Knative Serving with the Kourier ingress, as upstream's <c>test/knative/install.sh</c> (Knative 1.17.0).</summary>
public static class KnativeInstall
{
    private const string Version = "1.17.0";

    public static ProviderInstall Steps { get; } = new("knative",
    [
        ["kubectl", "apply", "-f", $"https://github.com/knative/serving/releases/download/knative-v{Version}/serving-crds.yaml"],
        ["kubectl", "apply", "-f", $"https://github.com/knative/serving/releases/download/knative-v{Version}/serving-core.yaml"],
        ["kubectl", "apply", "-f", $"https://github.com/knative/net-kourier/releases/download/knative-v{Version}/kourier.yaml"],
        ["kubectl", "patch", "configmap/config-network", "--namespace", "knative-serving", "--type", "merge",
            "--patch", """{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}"""],
        ["kubectl", "-n", "knative-serving", "rollout", "status", "deployment", "--timeout=5m"],
        ["kubectl", "-n", "kourier-system", "rollout", "status", "deployment", "--timeout=5m"],
    ]);
}
