namespace Flagger.E2E.Environment.Installs;

/// <summary>
/// Gateway API (upstream test/gatewayapi/install.sh): the standard-channel CRDs of Gateway API v1.5.1. Istio, which the
/// k3s backend always installs, is the implementation (gatewayClassName <c>istio</c>); each scenario creates its own
/// Gateway in its namespace, so no shared gateway namespace is needed.
/// </summary>
public static class GatewayApiInstall
{
    private static readonly IReadOnlyList<string[]> Commands =
    [
        ["kubectl", "apply", "--server-side", "-f", "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml"],
        ["kubectl", "wait", "--for=condition=Established", "--timeout=60s", "crd/httproutes.gateway.networking.k8s.io", "crd/gateways.gateway.networking.k8s.io"],
    ];

    /// <summary>Provider <c>gatewayapi:v1</c>.</summary>
    public static ProviderInstall V1 { get; } = new("gatewayapi:v1", Commands);

    /// <summary>Provider <c>gatewayapi:v1beta1</c> (same CRDs; the v1beta1 version is served by them).</summary>
    public static ProviderInstall V1Beta1 { get; } = new("gatewayapi:v1beta1", Commands);
}
