namespace Flagger.Modules.Analysis.Observers;

/// <summary>Linkerd: inbound <c>response_total</c> (classification) and the p99 of <c>response_latency_ms_bucket</c>.</summary>
// upstream: pkg/metrics/observers/linkerd.go
internal sealed class LinkerdObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            response_total{
                namespace=""{{ namespace }}"",
                deployment=~""{{ target }}"",
                classification!=""failure"",
                direction=""inbound""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            response_total{
                namespace=""{{ namespace }}"",
                deployment=~""{{ target }}"",
                direction=""inbound""
            }[{{ interval }}]
        )
    )
    * 100";

    public string DurationQuery => @"
    histogram_quantile(
        0.99,
        sum(
            rate(
                response_latency_ms_bucket{
                    namespace=""{{ namespace }}"",
                    deployment=~""{{ target }}"",
                    direction=""inbound""
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
