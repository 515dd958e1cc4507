using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Routing;

/// <summary>Controller-level routing settings (upstream flags <c>-mesh-provider</c>, <c>-ingress-class</c>, …).</summary>
public sealed class RoutingOptions
{
    /// <summary>Configuration section the options bind from (<c>Routing:MeshProvider</c>, …).</summary>
    public const string SectionName = "Routing";

    /// <summary>Provider of canaries whose <c>spec.provider</c> is empty (upstream <c>-mesh-provider</c>, default <c>istio</c>).</summary>
    public string MeshProvider { get; set; } = CanaryDefaults.MeshProvider;

    /// <summary>Ingress class for ingress-based providers (upstream <c>-ingress-class</c>): Contour writes it as the HTTPProxy's <c>ingressClassName</c>.</summary>
    public string? IngressClass { get; set; }

    /// <summary>Annotation prefix of NGINX canary Ingresses (upstream <c>-ingress-annotations-prefix</c>, default <c>nginx.ingress.kubernetes.io</c>).</summary>
    public string IngressAnnotationsPrefix { get; set; } = "nginx.ingress.kubernetes.io";

    /// <summary>
    /// Whether router objects carry a controller ownerReference to their Canary. Upstream turns it off when
    /// <c>-kubeconfig-service-mesh</c> points at another cluster.
    /// </summary>
    public bool SetOwnerReferences { get; set; } = true;
}
