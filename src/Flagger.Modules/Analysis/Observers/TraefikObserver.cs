namespace Flagger.Modules.Analysis.Observers;

/// <summary>Traefik: <c>traefik_service_request_duration_seconds_bucket</c> of the canary service; p99 seconds × 1000 in the query.</summary>
// upstream: pkg/metrics/observers/traefik.go
internal sealed class TraefikObserver : IMetricsObserver
{
    public string SuccessRateQuery => @"
    sum(
        rate(
            traefik_service_request_duration_seconds_bucket{
                service=~""{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd"",
                code!~""5.."",
                le=""+Inf""
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            traefik_service_request_duration_seconds_bucket{
                service=~""{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd"",
                le=""+Inf""
            }[{{ interval }}]
        )
    ) * 100";

    public string DurationQuery => @"
    histogram_quantile(
        0.99,
        sum(
            rate(
                traefik_service_request_duration_seconds_bucket{
                    service=~""{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd""
                }[{{ interval }}]
            )
        ) by (le)
    ) * 1000";
}
