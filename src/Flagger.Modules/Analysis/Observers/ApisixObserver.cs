namespace Flagger.Modules.Analysis.Observers;

/// <summary>APISIX: <c>apisix_http_status</c> of route <c>&lt;ns&gt;_&lt;route&gt;-&lt;target&gt;-canary_…</c> and the p99 of <c>apisix_http_latency_bucket</c>.</summary>
// upstream: pkg/metrics/observers/apisix.go
internal sealed class ApisixObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            apisix_http_status{
                route=~""{{ namespace }}_{{ route }}-{{ target }}-canary_.+"",
                code!~""5..""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            apisix_http_status{
                route=~""{{ namespace }}_{{ route }}-{{ target }}-canary_.+""
            }[{{ interval }}]
        )
    ) * 100";

    public string DurationQuery => @"
    histogram_quantile(
        0.99,
        sum(
            rate(
                apisix_http_latency_bucket{
                    type=~""request"",
                    route=~""{{ namespace }}_{{ route }}-{{ target }}-canary_.+""
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
