using System.Net.Http.Json;
using Flagger.LoadTester;
using Flagger.Simulator;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;

namespace Flagger.E2E.Environment;

/// <summary>
/// The simulator (Kubernetes API + workload controller + Istio-like traffic model), a real Prometheus process scraping
/// its telemetry every second, the loadtester and the operator in-process, and the alert receiver: all on loopback.
/// </summary>
public sealed class SimulatedBackend : IClusterBackend
{
    private readonly SimulatedCluster _cluster;
    private readonly PrometheusProcess _prometheus;
    private readonly WebApplication _loadTester;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly OperatorHost _operator;

    private SimulatedBackend(SimulatedCluster cluster, PrometheusProcess prometheus, WebApplication loadTester, string loadTesterUrl, AlertReceiver alerts)
    {
        _cluster = cluster;
        _prometheus = prometheus;
        _loadTester = loadTester;
        LoadTesterUrl = loadTesterUrl;
        Alerts = alerts;
        var configuration = cluster.ClientConfiguration();
        configuration.HttpClientTimeout = TimeSpan.FromSeconds(10);
        Client = new k8s.Kubernetes(configuration);
        _operator = new OperatorHost(cluster.KubeconfigPath, prometheus.Url, alerts.Url);
    }

    public string Name => "simulated";

    public k8s.Kubernetes Client { get; }

    public string LoadTesterUrl { get; }

    public string PrometheusUrl => _prometheus.Url;

    public AlertReceiver Alerts { get; }

    public SimulatedCluster Cluster => _cluster;

    public static async Task<SimulatedBackend> StartAsync(CancellationToken cancellationToken)
    {
        var cluster = await SimulatedCluster.StartAsync(new SimulatorOptions
        {
            TelemetryPort = 0,
            WorkloadDelay = TimeSpan.FromMilliseconds(300),
            TrafficTick = TimeSpan.FromMilliseconds(250),
        }, cancellationToken: cancellationToken);
        PrometheusProcess? prometheus = null;
        WebApplication? loadTester = null;
        AlertReceiver? alerts = null;
        try
        {
            using (var client = new k8s.Kubernetes(cluster.ClientConfiguration()))
            {
                // Flagger's CRDs, then every provider's (deploy/dev/<provider>-crds.yaml: Istio, Keptn, the routers' objects).
                var files = Directory.GetFiles(Path.Combine(Ports.RepositoryRoot, "deploy", "crds"), "*.yaml").Order(StringComparer.Ordinal)
                    .Concat(Directory.GetFiles(Path.Combine(Ports.RepositoryRoot, "deploy", "dev"), "*-crds.yaml").Order(StringComparer.Ordinal));
                foreach (var file in files)
                {
                    foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file, cancellationToken)).OfType<V1CustomResourceDefinition>())
                    {
                        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: cancellationToken);
                    }
                }
            }

            var telemetry = cluster.TelemetryUrl ?? throw new InvalidOperationException("the simulator has no telemetry endpoint");
            prometheus = await PrometheusProcess.StartAsync([$"{telemetry.Host}:{telemetry.Port}"], cancellationToken);
            var loadTesterPort = Ports.Free();
            loadTester = LoadTesterApp.Build(new LoadTesterOptions
            {
                Port = loadTesterPort,
                ListenAddress = System.Net.IPAddress.Loopback,
                StateDir = "",
                LogLevel = "error",
                LogEncoding = "console",
                Timeout = TimeSpan.FromSeconds(30),
            });
            await loadTester.StartAsync(cancellationToken);
            alerts = new AlertReceiver();
            var backend = new SimulatedBackend(cluster, prometheus, loadTester, $"http://127.0.0.1:{loadTesterPort}/", alerts);
            await backend.StartRuntimeAsync(cancellationToken);
            return backend;
        }
        catch
        {
            alerts?.Dispose();
            if (loadTester is not null)
            {
                await loadTester.DisposeAsync();
            }

            if (prometheus is not null)
            {
                await prometheus.DisposeAsync();
            }

            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task<string> PostLoadTesterAsync(string path, string jsonBody, CancellationToken cancellationToken)
    {
        using var content = new StringContent(jsonBody, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(LoadTesterUrl + path.TrimStart('/'), content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"loadtester {path} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public async Task CreateNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        await Kubectl.RunAsync(_cluster.KubeconfigPath, ["create", "ns", name], cancellationToken);
        await Kubectl.RunAsync(_cluster.KubeconfigPath, ["label", "namespace", name, "istio-injection=enabled", "--overwrite"], cancellationToken);
    }

    public Task ApplyAsync(string yaml, CancellationToken cancellationToken)
    {
        _cluster.Apply(yaml);
        return Task.CompletedTask;
    }

    public string TrafficWebhooks(string ns, string service, string indent, string path = "/") => "";

    public Task StartRuntimeAsync(CancellationToken cancellationToken) => _operator.StartAsync(cancellationToken);

    public Task StopRuntimeAsync(CancellationToken cancellationToken) => _operator.StopAsync();

    /// <summary>Nothing to install: every <c>deploy/dev/*-crds.yaml</c> was applied at start, and the simulator plays the data planes.</summary>
    public Task InstallProviderAsync(string provider, CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await StopRuntimeAsync(CancellationToken.None);
        await _loadTester.StopAsync(CancellationToken.None);
        await _loadTester.DisposeAsync();
        Alerts.Dispose();
        await _prometheus.DisposeAsync();
        Client.Dispose();
        _http.Dispose();
        await _cluster.DisposeAsync();
    }
}
