namespace Flagger.Modules.Analysis.Observers;

/// <summary>Istio: <c>istio_requests_total</c> and the p99 of <c>istio_request_duration_milliseconds_bucket</c>, destination reporter.</summary>
// upstream: pkg/metrics/observers/istio.go
internal sealed class IstioObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            istio_requests_total{
                reporter=""destination"",
                destination_workload_namespace=""{{ namespace }}"",
                destination_workload=~""{{ target }}"",
                response_code!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            istio_requests_total{
                reporter=""destination"",
                destination_workload_namespace=""{{ namespace }}"",
                destination_workload=~""{{ target }}""
            }[{{ interval }}]
        )
    )
    * 100";

    public string DurationQuery => @"
    histogram_quantile(
        0.99,
        sum(
            rate(
                istio_request_duration_milliseconds_bucket{
                    reporter=""destination"",
                    destination_workload_namespace=""{{ namespace }}"",
                    destination_workload=~""{{ target }}""
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
