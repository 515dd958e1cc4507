using System.Text.RegularExpressions;
using Flagger.Modules.Analysis.Templates;

namespace Flagger.Modules.Analysis.Observers;

/// <summary>
/// Skipper: route regex built with <c>printf</c> from namespace, ingress and service (non-word characters replaced by
/// <c>_</c>); success from the <c>le="+Inf"</c> bucket, duration the average of <c>skipper_serve_route_duration_seconds</c> × 1000.
/// </summary>
// upstream: pkg/metrics/observers/skipper.go
internal sealed partial class SkipperObserver : IMetricsObserver
{
    private const string RoutePattern = @"{{- $route := printf ""kube(ew)?_%s__%s_canary__.*__%s_canary(_[0-9]+)?"" namespace ingress service }}";

    public string SuccessRateQuery => RoutePattern + @"
    sum(rate(skipper_response_duration_seconds_bucket{route=~""{{ $route }}"",code!~""5.."",le=""+Inf""}[{{ interval }}])) /
    sum(rate(skipper_response_duration_seconds_bucket{route=~""{{ $route }}"",le=""+Inf""}[{{ interval }}])) * 100";

    public string DurationQuery => RoutePattern + @"
    sum(rate(skipper_serve_route_duration_seconds_sum{route=~""{{ $route }}""}[{{ interval }}])) /
    sum(rate(skipper_serve_route_duration_seconds_count{route=~""{{ $route }}""}[{{ interval }}])) * 1000";

    public MetricTemplateModel Prepare(MetricTemplateModel model) => model with
    {
        Name = NonWord().Replace(model.Name, "_"),
        Namespace = NonWord().Replace(model.Namespace, "_"),
        Ingress = NonWord().Replace(model.Ingress, "_"),
        Service = NonWord().Replace(model.Service, "_"),
        Target = NonWord().Replace(model.Target, "_"),
    };

    [GeneratedRegex(@"[^0-9A-Za-z_]")]
    private static partial Regex NonWord();
}
