using Prometheus;

namespace Flagger.Simulator.Control;

/// <summary>The simulator's own series on the telemetry endpoint: API requests and open watches.</summary>
internal sealed class SimulatorTelemetry(CollectorRegistry registry)
{
    private readonly Counter requests = Metrics.WithCustomRegistry(registry).CreateCounter(
        "simulator_api_requests_total", "API requests handled by the simulated cluster.",
        new CounterConfiguration { LabelNames = ["verb", "resource", "code"] });

    private readonly Gauge watches = Metrics.WithCustomRegistry(registry).CreateGauge(
        "simulator_open_watches", "Watch streams currently open.", new GaugeConfiguration { LabelNames = ["resource"] });

    public void Request(string verb, string resource, int code) =>
        requests.WithLabels(verb, resource, code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();

    public IDisposable Watch(string resource)
    {
        var gauge = watches.WithLabels(resource);
        gauge.Inc();
        return new Release(gauge);
    }

    private sealed class Release(Gauge.Child gauge) : IDisposable
    {
        public void Dispose() => gauge.Dec();
    }
}
