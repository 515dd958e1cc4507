namespace Flagger.E2E.Environment.Installs;

/// <summary>Kuma's (Kong Mesh 2.7.5) control plane and its Prometheus, as upstream's <c>test/kuma/install.sh</c> installs them.</summary>
public static class KumaInstall
{
    private const string Version = "2.7.5";

    public static ProviderInstall Steps { get; } = new("kuma",
    [
        ["sh", "-c", $"cd /tmp && curl -sL https://docs.konghq.com/mesh/installer.sh | VERSION={Version} sh - && cp /tmp/kong-mesh-{Version}/bin/kumactl /tmp/kumactl && chmod +x /tmp/kumactl"],
        ["sh", "-c", "/tmp/kumactl install control-plane | kubectl apply -f -"],
        ["kubectl", "wait", "--for=condition=established", "crd/meshes.kuma.io", "--timeout=2m"],
        ["kubectl", "-n", "kong-mesh-system", "rollout", "status", "deployment/kong-mesh-control-plane", "--timeout=5m"],
        ["sh", "-c", "/tmp/kumactl install observability --components prometheus | kubectl apply -f -"],
        ["kubectl", "-n", "mesh-observability", "rollout", "status", "deployment/prometheus-server", "--timeout=5m"],
        // upstream test/kuma/test-canary.sh: traffic must be allowed between every service of the mesh
        ["sh", "-c", "printf 'apiVersion: kuma.io/v1alpha1\\nkind: TrafficPermission\\nmesh: default\\nmetadata:\\n  name: allow-all-traffic\\nspec:\\n  sources:\\n    - match:\\n        kuma.io/service: \"*\"\\n  destinations:\\n    - match:\\n        kuma.io/service: \"*\"\\n' | kubectl apply -f -"],
    ]);
}
