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
/// The simulator enforces RBAC and the operator authenticates as the chart's ServiceAccount bound to the chart's
/// ClusterRole (<c>deploy/kubernetes/flagger.yaml</c>), so every scenario, whatever its provider, proves that the chart
/// grants what the operator does. The tests use the admin token; kubectl, which sends no bearer token over plain HTTP,
/// is anonymous, and a test-only binding makes anonymous an administrator.
/// </summary>
public sealed partial class SimulatedBackend : IClusterBackend
{
    private readonly SimulatedCluster _cluster;
    private readonly PrometheusProcess _prometheus;
    private readonly WebApplication _loadTester;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly OperatorHost _operator;

    private SimulatedBackend(SimulatedCluster cluster, string operatorKubeconfig, PrometheusProcess prometheus, WebApplication loadTester, string loadTesterUrl, AlertReceiver alerts)
    {
        _cluster = cluster;
        _prometheus = prometheus;
        _loadTester = loadTester;
        LoadTesterUrl = loadTesterUrl;
        Alerts = alerts;
        var configuration = cluster.ClientConfiguration();
        configuration.HttpClientTimeout = TimeSpan.FromSeconds(10);
        Client = new k8s.Kubernetes(configuration);
        _operator = new OperatorHost(operatorKubeconfig, prometheus.Url, alerts.Url);
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
            EnforceRbac = true,
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

            var operatorKubeconfig = await ApplyRbacAsync(cluster, cancellationToken);
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
            var backend = new SimulatedBackend(cluster, operatorKubeconfig, prometheus, loadTester, $"http://127.0.0.1:{loadTesterPort}/", alerts);
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

    /// <summary>
    /// Applies the Namespace, ServiceAccount, ClusterRole and ClusterRoleBinding of the rendered chart
    /// (<c>deploy/kubernetes/flagger.yaml</c>, regenerated by <c>eng/render-manifests.sh</c>) and the tests' kubectl
    /// binding, and returns a kubeconfig with the ServiceAccount's token, for the operator.
    /// </summary>
    private static async Task<string> ApplyRbacAsync(SimulatedCluster cluster, CancellationToken cancellationToken)
    {
        var manifest = await File.ReadAllTextAsync(Path.Combine(Ports.RepositoryRoot, "deploy", "kubernetes", "flagger.yaml"), cancellationToken);
        string? account = null, accountNamespace = null;
        foreach (var document in manifest.Split("\n---", StringSplitOptions.RemoveEmptyEntries).Where(d => RbacKind().IsMatch(d)))
        {
            cluster.Apply(document);
            if (document.Contains("\nkind: ServiceAccount", StringComparison.Ordinal))
            {
                var sa = KubernetesYaml.Deserialize<V1ServiceAccount>(document);
                (account, accountNamespace) = (sa.Metadata.Name, sa.Metadata.NamespaceProperty);
            }
        }

        Assert.True(account is not null && accountNamespace is not null, "deploy/kubernetes/flagger.yaml has no ServiceAccount");
        cluster.Apply("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: e2e-kubectl
            rules:
              - apiGroups: ["*"]
                resources: ["*"]
                verbs: ["*"]
              - nonResourceURLs: ["*"]
                verbs: ["*"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: e2e-kubectl
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: e2e-kubectl
            subjects:
              - apiGroup: rbac.authorization.k8s.io
                kind: User
                name: system:anonymous
            """);
        return await cluster.WriteKubeconfigAsync(cluster.ServiceAccountToken(accountNamespace!, account!), "flagger-operator.kubeconfig", cancellationToken);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^kind: (Namespace|ServiceAccount|ClusterRole|ClusterRoleBinding)\s*$", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex RbacKind();

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
