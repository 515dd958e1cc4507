namespace Flagger.E2E.Environment.Installs;

/// <summary>
/// Linkerd with its SMI extension (the TrafficSplit CRD and the adaptor that turns splits into Linkerd routes) and
/// Linkerd Viz's Prometheus, as upstream's <c>test/linkerd/install.sh</c> (stable-2.14.0) installs them.
/// </summary>
public static class LinkerdInstall
{
    private const string Version = "stable-2.14.0";
    private const string SmiVersion = "0.2.4";

    public static ProviderInstall Steps { get; } = new("linkerd",
    [
        ["sh", "-c", $"curl -SsL https://github.com/linkerd/linkerd2/releases/download/{Version}/linkerd2-cli-{Version}-linux-amd64 -o /tmp/linkerd && chmod +x /tmp/linkerd"],
        ["sh", "-c", $"curl -SsL https://github.com/linkerd/linkerd-smi/releases/download/v{SmiVersion}/linkerd-smi-{SmiVersion}-linux-amd64 -o /tmp/linkerd-smi && chmod +x /tmp/linkerd-smi"],
        ["sh", "-c", "/tmp/linkerd install --crds | kubectl apply -f -"],
        ["sh", "-c", "/tmp/linkerd install | kubectl apply -f -"],
        ["/tmp/linkerd", "check"],
        ["sh", "-c", "/tmp/linkerd-smi install | kubectl apply -f -"],
        ["sh", "-c", "/tmp/linkerd viz install | kubectl apply -f -"],
        ["kubectl", "-n", "linkerd-viz", "rollout", "status", "deploy/prometheus", "--timeout=5m"],
        ["kubectl", "wait", "--for=condition=established", "crd/trafficsplits.split.smi-spec.io", "--timeout=2m"],
    ]);
}
