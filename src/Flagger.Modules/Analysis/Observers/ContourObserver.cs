namespace Flagger.Modules.Analysis.Observers;

/// <summary>Contour: Envoy cluster <c>&lt;ns&gt;_&lt;service&gt;-canary_&lt;port&gt;</c> request counts and p99 latency.</summary>
// upstream: pkg/metrics/observers/contour.go (the trailing comma inside the selector is upstream's)
internal sealed class ContourObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            envoy_cluster_upstream_rq{
                envoy_cluster_name=~""{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+"",
                envoy_response_code!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            envoy_cluster_upstream_rq{
                envoy_cluster_name=~""{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+"",
            }[{{ interval }}]
        )
    )
    * 100";

    public string DurationQuery => @"
    histogram_quantile(
        0.99,
        sum(
            rate(
                envoy_cluster_upstream_rq_time_bucket{
                    envoy_cluster_name=~""{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+"",
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
