namespace Flagger.Modules.Analysis.Observers;

/// <summary>
/// Generic HTTP (providers <c>kubernetes</c> and <c>gatewayapi*</c>): the app's own <c>http_request_duration_seconds</c>
/// histogram selected by pod name; the p99 is in seconds and becomes milliseconds (×1000, then truncated).
/// </summary>
// upstream: pkg/metrics/observers/http.go
internal sealed class HttpObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            http_request_duration_seconds_count{
                kubernetes_namespace=""{{ namespace }}"",
                kubernetes_pod_name=~""{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"",
                status!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            http_request_duration_seconds_count{
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
                http_request_duration_seconds_bucket{
                    kubernetes_namespace=""{{ namespace }}"",
                    kubernetes_pod_name=~""{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)""
                }[{{ interval }}]
            )
        ) by (le)
    )";

    public bool WrapsSuccessRateErrors => false;

    public long ToMilliseconds(double value) => IMetricsObserver.Truncate(value * 1000);
}
