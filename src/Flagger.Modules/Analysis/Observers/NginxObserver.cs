namespace Flagger.Modules.Analysis.Observers;

/// <summary>NGINX ingress: canary ingress request counts; duration is the <b>average</b> response time (sum/count × 1000 ms).</summary>
// upstream: pkg/metrics/observers/nginx.go
internal sealed class NginxObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            nginx_ingress_controller_requests{
                namespace=""{{ namespace }}"",
                ingress=""{{ ingress }}"",
                canary!="""",
                status!~""5.*""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            nginx_ingress_controller_requests{
                namespace=""{{ namespace }}"",
                ingress=""{{ ingress }}"",
                canary!=""""
            }[{{ interval }}]
        )
    )
    * 100";

    public string DurationQuery => @"
    sum(
        rate(
            nginx_ingress_controller_response_duration_seconds_sum{
                namespace=""{{ namespace }}"",
                ingress=""{{ ingress }}"",
                canary!=""""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            nginx_ingress_controller_response_duration_seconds_count{
                namespace=""{{ namespace }}"",
                ingress=""{{ ingress }}"",
                canary!=""""
            }[{{ interval }}]
        )
    )
    * 1000";
}
