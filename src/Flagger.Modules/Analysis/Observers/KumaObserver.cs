namespace Flagger.Modules.Analysis.Observers;

/// <summary>Kuma: Envoy <c>envoy_cluster_upstream_rq</c> of service <c>&lt;target&gt;-canary_&lt;ns&gt;_svc_&lt;port&gt;</c> and p99 latency.</summary>
// upstream: pkg/metrics/observers/kuma.go
internal sealed class KumaObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            envoy_cluster_upstream_rq{
                service=~""{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+"",
                envoy_response_code!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            envoy_cluster_upstream_rq{
                service=~""{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+"",
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
                    service=~""{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+"",
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
