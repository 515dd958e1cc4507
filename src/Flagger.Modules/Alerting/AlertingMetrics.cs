using Prometheus;

namespace Flagger.Modules.Alerting;

/// <summary>
/// Counts alerts that could not be delivered (<c>flagger_alert_failures_total{name,namespace,provider}</c>). Not an
/// upstream series: upstream only logs these failures, so nothing alerts on a broken Slack hook.
/// </summary>
internal sealed class AlertingMetrics
{
    private readonly Counter _failures;

    public AlertingMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _failures = factory.CreateCounter("flagger_alert_failures_total", "Total number of canary alerts that could not be delivered", "name", "namespace", "provider");
    }

    public void IncFailures(string canary, string @namespace, string provider) => _failures.WithLabels(canary, @namespace, provider).Inc();

    public double Failures(string canary, string @namespace, string provider) => _failures.WithLabels(canary, @namespace, provider).Value;
}
