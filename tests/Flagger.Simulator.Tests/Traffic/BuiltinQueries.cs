using System.Reflection;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>
/// The operator's builtin metric queries (Flagger.Modules' observers), rendered for a canary exactly as the analysis
/// renders them. The operator's types are internal to it, so they are reached by name.
/// </summary>
public static class BuiltinQueries
{
    private static readonly Assembly Modules = Assembly.Load("Flagger.Modules");

    /// <summary>The rendered request-success-rate and request-duration queries of <paramref name="provider"/> for a canary whose target and Service are <paramref name="target"/>.</summary>
    public static (string SuccessRate, string Duration) Render(string provider, string ns, string target, string interval = "1m")
    {
        var observer = Type("Flagger.Modules.Analysis.Observers.ObserverFactory").GetMethod("Create")!.Invoke(null, [provider])!;
        // upstream: pkg/apis/flagger/v1beta1/metric.go (MetricTemplateModel): name, namespace, target, service, ingress, route, interval, variables.
        var model = Activator.CreateInstance(Type("Flagger.Modules.Analysis.Templates.MetricTemplateModel"),
            [target, ns, target, target, target, target, interval, new Dictionary<string, string>()])!;
        // The observer's view of the model (Skipper replaces non-word characters), as the analysis prepares it.
        model = Type("Flagger.Modules.Analysis.Observers.IMetricsObserver").GetMethod("Prepare")!.Invoke(observer, [model])!;
        var render = model.GetType().GetMethod("Render")!;
        string Query(string property) => (string)render.Invoke(model, [observer.GetType().GetProperty(property)!.GetValue(observer)])!;
        return (Query("SuccessRateQuery"), Query("DurationQuery"));
    }

    private static Type Type(string name) => Modules.GetType(name, throwOnError: true)!;
}
