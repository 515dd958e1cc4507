namespace Flagger.Modules.Shared.Crd.Validation;

/// <summary>
/// One problem of a Flagger object: the JSON path of the field and why it is wrong, written for the user who will read
/// it in a condition or event, e.g. <c>spec.analysis.sessionAffinity.primaryCookieName: must differ from cookieName</c>.
/// </summary>
/// <param name="Field">Path of the offending field, e.g. <c>spec.analysis.metrics[1].interval</c>.</param>
/// <param name="Reason">What is wrong and, where possible, what would be right.</param>
public sealed record ValidationError(string Field, string Reason)
{
    /// <summary><c>&lt;field&gt;: &lt;reason&gt;</c>.</summary>
    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>Operator-level settings that change what a valid object is.</summary>
/// <param name="NoCrossNamespaceRefs">Reject references to MetricTemplates, AlertProviders and Gloo Upstreams in other namespaces (<c>-no-cross-namespace-refs</c>).</param>
/// <param name="DefaultProvider">The global routing provider (<c>-mesh-provider</c>) used when <c>spec.provider</c> is empty.</param>
public sealed record ValidationOptions(bool NoCrossNamespaceRefs = false, string DefaultProvider = CanaryDefaults.MeshProvider)
{
    /// <summary>Upstream's defaults: cross-namespace references allowed, provider <c>istio</c>.</summary>
    public static ValidationOptions Default { get; } = new();
}
