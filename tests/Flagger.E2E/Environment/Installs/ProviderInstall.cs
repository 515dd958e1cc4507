namespace Flagger.E2E.Environment.Installs;

/// <summary>
/// What one routing provider needs in a real cluster before its scenarios run, as upstream's
/// <c>test/&lt;provider&gt;/install.sh</c> installs it (controller, CRDs, its Prometheus scrape config), written as
/// commands (<c>kubectl</c>/<c>helm</c> with their arguments) the k3s backend runs once. The simulated backend needs
/// none: it applies every <c>deploy/dev/*-crds.yaml</c> at start and plays the provider's data plane itself.
/// </summary>
/// <param name="Provider">The catalog name the scenarios use (<c>spec.provider</c>).</param>
/// <param name="Commands">Each command's executable followed by its arguments, run in order.</param>
public sealed record ProviderInstall(string Provider, IReadOnlyList<string[]> Commands);

/// <summary>The install steps of every provider the scenarios use beyond Istio (which the k3s backend installs always).</summary>
public static class ProviderInstalls
{
    /// <summary>One entry per provider (a static property in that provider's file in this folder).</summary>
    public static IReadOnlyList<ProviderInstall> All { get; } =
    [
        ContourInstall.Steps,
        GlooInstall.Steps,
        NginxInstall.Steps,
        SkipperInstall.Steps,
        LinkerdInstall.Steps,
        OsmInstall.Steps,
        KumaInstall.Steps,
        TraefikInstall.Steps,
        ApisixInstall.Steps,
        GatewayApiInstall.V1, GatewayApiInstall.V1Beta1,
        AppMeshInstall.V1Beta1, AppMeshInstall.V1Beta2,
        KnativeInstall.Steps,
        KedaInstall.Steps,
    ];

    /// <summary>The install steps for <paramref name="provider"/>; a scenario for a provider without any is a test bug.</summary>
    public static ProviderInstall For(string provider) =>
        All.FirstOrDefault(i => i.Provider == provider)
        ?? throw new InvalidOperationException($"no install steps for provider {provider} (add them in tests/Flagger.E2E/Environment/Installs)");
}
