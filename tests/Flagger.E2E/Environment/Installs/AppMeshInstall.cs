namespace Flagger.E2E.Environment.Installs;

/// <summary>
/// App Mesh (upstream has no test/appmesh; its install guide and kustomize/appmesh run Flagger against the
/// aws-app-mesh-controller of eks-charts, with Envoy sidecars scraped by appmesh-prometheus).
/// </summary>
public static class AppMeshInstall
{
    private static readonly string[][] Controller =
    [
        ["helm", "repo", "add", "eks", "https://aws.github.io/eks-charts"],
        ["helm", "upgrade", "-i", "appmesh-controller", "eks/appmesh-controller", "--namespace", "appmesh-system", "--create-namespace", "--wait"],
    ];

    /// <summary><c>appmesh:v1beta2</c>: the current controller serves appmesh.k8s.aws/v1beta2.</summary>
    public static ProviderInstall V1Beta2 { get; } = new("appmesh:v1beta2", Controller);

    /// <summary>
    /// <c>appmesh</c>: appmesh.k8s.aws/v1beta1 was served by the first controller only (no longer published); the kinds
    /// Flagger writes are installed from this repository's CRDs next to the current controller.
    /// </summary>
    public static ProviderInstall V1Beta1 { get; } = new("appmesh", [.. Controller, ["kubectl", "apply", "-f", "deploy/dev/appmesh-crds.yaml"]]);
}
