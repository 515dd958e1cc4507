namespace Flagger.E2E.Environment;

/// <summary>
/// A cluster with Flagger, Prometheus, the loadtester and a Slack-compatible alert receiver, as the scenarios need it.
/// Two implementations: <see cref="SimulatedBackend"/> (everything on loopback) and <see cref="K3sBackend"/>.
/// </summary>
public interface IClusterBackend : IAsyncDisposable
{
    /// <summary>"simulated" or "k3s".</summary>
    string Name { get; }

    /// <summary>A client of the cluster's API.</summary>
    k8s.Kubernetes Client { get; }

    /// <summary>The loadtester's base URL as the operator reaches it (webhook URLs in Canary specs), ending with "/".</summary>
    string LoadTesterUrl { get; }

    /// <summary>Sends a request to the loadtester from the test (gate and rollback switches).</summary>
    Task<string> PostLoadTesterAsync(string path, string jsonBody, CancellationToken cancellationToken);

    /// <summary>Prometheus' address as the operator reaches it (MetricTemplate <c>provider.address</c>).</summary>
    string PrometheusUrl { get; }

    /// <summary>Slack-compatible bodies the operator posted.</summary>
    AlertReceiver Alerts { get; }

    /// <summary>
    /// Creates a namespace as upstream's e2e scripts do: <c>kubectl create ns</c> (a protobuf body from kubectl's
    /// generator), then <c>kubectl label namespace … istio-injection=enabled</c>.
    /// </summary>
    Task CreateNamespaceAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces every object of a multi-document YAML manifest.</summary>
    Task ApplyAsync(string yaml, CancellationToken cancellationToken);

    /// <summary>
    /// Extra webhook entries (YAML list items, indented for <c>spec.analysis.webhooks</c>) a canary needs so its apex
    /// Service gets traffic: none on the simulator (the <c>simulator.flagger.app/rps</c> apex annotation does it), a
    /// loadtester <c>hey</c> job on k3s against <paramref name="path"/> (<c>/status/500</c> makes a version fail there, as
    /// the <c>simulator.flagger.app/error-rate</c> pod-template annotation does on the simulator).
    /// </summary>
    string TrafficWebhooks(string ns, string service, string indent, string path = "/");

    /// <summary>
    /// Makes routing provider <paramref name="provider"/> usable (its controller and CRDs): nothing on the simulator,
    /// which has every provider's CRDs from the start; on k3s the provider's <see cref="Installs.ProviderInstalls"/>
    /// steps, once per backend. Scenarios of a provider other than Istio call it first.
    /// </summary>
    Task InstallProviderAsync(string provider, CancellationToken cancellationToken);

    /// <summary>Stops the operator abruptly (as a killed pod would be).</summary>
    Task StopRuntimeAsync(CancellationToken cancellationToken);

    /// <summary>Starts the operator again.</summary>
    Task StartRuntimeAsync(CancellationToken cancellationToken);
}
