namespace Flagger.E2E.Environment.Installs;

/// <summary>
/// Open Service Mesh with its Prometheus and permissive traffic policy, as upstream's OSM tutorial
/// (<c>docs/gitbook/tutorials/osm-progressive-delivery.md</c>) installs it; OSM ships the SMI TrafficSplit CRD.
/// </summary>
public static class OsmInstall
{
    private const string Version = "v1.2.4";

    public static ProviderInstall Steps { get; } = new("osm",
    [
        ["sh", "-c", $"curl -SsL https://github.com/openservicemesh/osm/releases/download/{Version}/osm-{Version}-linux-amd64.tar.gz | tar -xz -C /tmp && chmod +x /tmp/linux-amd64/osm"],
        ["/tmp/linux-amd64/osm", "install", "--set=osm.deployPrometheus=true", "--set=osm.enablePermissiveTrafficPolicy=true"],
        ["kubectl", "-n", "osm-system", "rollout", "status", "deploy/osm-controller", "--timeout=5m"],
        ["kubectl", "wait", "--for=condition=established", "crd/trafficsplits.split.smi-spec.io", "--timeout=2m"],
    ]);
}
