namespace Flagger.Modules.Analysis.Observers;

/// <summary>Gloo: Envoy cluster <c>&lt;ns&gt;-&lt;target&gt;-canaryupstream-…</c> request counts and p99 latency.</summary>
// upstream: pkg/metrics/observers/gloo.go
internal sealed class GlooObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            envoy_cluster_upstream_rq{
                envoy_cluster_name=~""{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+"",
                envoy_response_code!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            envoy_cluster_upstream_rq{
                envoy_cluster_name=~""{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+"",
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
                    envoy_cluster_name=~""{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+"",
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
