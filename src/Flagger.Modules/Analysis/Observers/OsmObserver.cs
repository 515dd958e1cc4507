namespace Flagger.Modules.Analysis.Observers;

/// <summary>Open Service Mesh: <c>osm_request_total</c> and the p99 of <c>osm_request_duration_ms_bucket</c> for the Deployment.</summary>
// upstream: pkg/metrics/observers/osm.go
internal sealed class OsmObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            osm_request_total{
                destination_namespace=""{{ namespace }}"",
                destination_kind=""Deployment"",
                destination_name=""{{ target }}"",
                response_code!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            osm_request_total{
                destination_namespace=""{{ namespace }}"",
                destination_kind=""Deployment"",
                destination_name=""{{ target }}""
            }[{{ interval }}]
        )
    )
    * 100";

    public string DurationQuery => @"
    histogram_quantile(
        0.99,
        sum(
            rate(
                osm_request_duration_ms_bucket{
                    destination_namespace=""{{ namespace }}"",
                    destination_kind=""Deployment"",
                    destination_name=""{{ target }}""
                }[{{ interval }}]
            )
        ) by (le)
    )";
}
