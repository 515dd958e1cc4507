namespace Flagger.Modules.Analysis.Observers;

/// <summary>App Mesh: Envoy <c>envoy_cluster_upstream_rq</c> selected by pod name, p99 of <c>envoy_cluster_upstream_rq_time_bucket</c>.</summary>
// upstream: pkg/metrics/observers/appmesh.go
internal sealed class AppMeshObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            envoy_cluster_upstream_rq{
                kubernetes_namespace=""{{ namespace }}"",
                kubernetes_pod_name=~""{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"",
                envoy_response_code!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            envoy_cluster_upstream_rq{
                kubernetes_namespace=""{{ namespace }}"",
                kubernetes_pod_name=~""{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)""
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
                    kubernetes_namespace=""{{ namespace }}"",
                    kubernetes_pod_name=~""{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)""
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
