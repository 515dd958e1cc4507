using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Templates;

/// <summary>The values a metric query can name: <c>{{ name }}</c>, <c>{{ namespace }}</c>, … and <c>{{ variables.key }}</c>.</summary>
// upstream: pkg/apis/flagger/v1beta1/metric.go (MetricTemplateModel), pkg/controller/scheduler_metrics.go (toMetricModel)
internal sealed record MetricTemplateModel(
    string Name,
    string Namespace,
    string Target,
    string Service,
    string Ingress,
    string Route,
    string Interval,
    IReadOnlyDictionary<string, string> Variables)
{
    private static readonly IReadOnlySet<string> FunctionNames =
        new HashSet<string>(["name", "namespace", "target", "service", "ingress", "route", "interval", "variables"]);

    /// <summary>The model of one metric of <paramref name="canary"/> (names default to <c>targetRef.name</c>).</summary>
    public static MetricTemplateModel For(Canary canary, string interval, IReadOnlyDictionary<string, string>? variables)
    {
        var target = canary.Spec.TargetRef?.Name ?? "";
        return new MetricTemplateModel(
            canary.Metadata.Name ?? "",
            canary.Metadata.NamespaceProperty ?? "",
            target,
            string.IsNullOrEmpty(canary.Spec.Service?.Name) ? target : canary.Spec.Service.Name,
            canary.Spec.IngressRef?.Name ?? target,
            canary.Spec.RouteRef?.Name ?? target,
            interval,
            variables ?? new Dictionary<string, string>());
    }

    /// <summary>Renders a Go-template query against this model; throws <see cref="TemplateException"/> with upstream's prefixes.</summary>
    // upstream: pkg/metrics/observers/render.go
    public string Render(string query)
    {
        GoTemplate template;
        try
        {
            template = GoTemplate.Parse(query, FunctionNames);
        }
        catch (TemplateException e)
        {
            throw new TemplateException("template parsing failed: " + e.Message);
        }

        try
        {
            return template.Execute(new Dictionary<string, Func<object?>>
            {
                ["name"] = () => Name,
                ["namespace"] = () => Namespace,
                ["target"] = () => Target,
                ["service"] = () => Service,
                ["ingress"] = () => Ingress,
                ["route"] = () => Route,
                ["interval"] = () => Interval,
                ["variables"] = () => Variables,
            });
        }
        catch (TemplateException e)
        {
            // "excution" is upstream's spelling.
            throw new TemplateException("template excution failed: " + e.Message);
        }
    }
}
