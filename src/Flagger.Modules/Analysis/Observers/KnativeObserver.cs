namespace Flagger.Modules.Analysis.Observers;

/// <summary>Knative: Envoy cluster <c>&lt;ns&gt;/&lt;route&gt;</c>, where route is the latest created revision.</summary>
// upstream: pkg/metrics/observers/knative.go
internal sealed class KnativeObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            envoy_cluster_upstream_rq{
                envoy_cluster_name=~""{{ namespace }}/{{ route }}"",
                envoy_response_code!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            envoy_cluster_upstream_rq{
                envoy_cluster_name=~""{{ namespace }}/{{ route }}"",
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
                    envoy_cluster_name=~""{{ namespace }}/{{ route }}"",
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
