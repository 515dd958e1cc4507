using System.Diagnostics;
using DotNet.Testcontainers.Configurations;
using Testcontainers.K3s;

namespace Flagger.E2E.Environment;

/// <summary>
/// A real cluster: k3s in a container (Testcontainers.K3s), Istio installed with <c>istioctl</c> (minimal profile),
/// Istio's Prometheus addon and upstream's flagger-loadtester exposed on NodePorts, and the operator in-process against
/// the container's kubeconfig. Needs Docker, <c>kubectl</c> and <c>istioctl</c> on PATH, and network access to pull
/// rancher/k3s, Istio, Prometheus, podinfo and flagger-loadtester images.
/// </summary>
public sealed class K3sBackend : IClusterBackend
{
    public const string K3sImage = "rancher/k3s:v1.31.4-k3s1";
    public const string LoadTesterImage = "ghcr.io/fluxcd/flagger-loadtester:0.34.0";
    public const string PrometheusImage = "prom/prometheus:v2.53.2";
    private const int PrometheusNodePort = 30090;
    private const int LoadTesterNodePort = 30080;

    private readonly K3sContainer _container;
    private readonly string _kubeconfig;
    private readonly OperatorHost _operator;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly SemaphoreSlim _installs = new(1, 1);
    private readonly HashSet<string> _installed = new(StringComparer.Ordinal);

    private K3sBackend(K3sContainer container, string kubeconfig, AlertReceiver alerts)
    {
        _container = container;
        _kubeconfig = kubeconfig;
        Alerts = alerts;
        Client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        PrometheusUrl = $"http://127.0.0.1:{container.GetMappedPublicPort(PrometheusNodePort)}";
        LoadTesterUrl = $"http://127.0.0.1:{container.GetMappedPublicPort(LoadTesterNodePort)}/";
        _operator = new OperatorHost(kubeconfig, PrometheusUrl, alerts.Url);
    }

    public string Name => "k3s";

    public k8s.Kubernetes Client { get; }

    public string LoadTesterUrl { get; }

    public string PrometheusUrl { get; }

    public AlertReceiver Alerts { get; }

    /// <summary>Why this backend cannot run here (no Docker answering, a missing tool), or null when it can.</summary>
    public static async Task<string?> UnavailableReasonAsync(CancellationToken cancellationToken)
    {
        try
        {
            var endpoint = TestcontainersSettings.OS.DockerEndpointAuthConfig;
            if (endpoint is null)
            {
                return "k3s backend: no Docker endpoint answers (Testcontainers found no DOCKER_HOST, socket or context); run with FLAGGER_E2E_BACKEND=simulated";
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var uri = endpoint.Endpoint;
            using var socket = uri.Scheme == "unix"
                ? new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified)
                : new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            System.Net.EndPoint target = uri.Scheme == "unix" ? new System.Net.Sockets.UnixDomainSocketEndPoint(uri.AbsolutePath) : new System.Net.DnsEndPoint(uri.Host, uri.Port);
            await socket.ConnectAsync(target, timeout.Token);
            foreach (var tool in new[] { "kubectl", "istioctl" })
            {
                if (FindOnPath(tool) is null)
                {
                    return $"k3s backend: `{tool}` is not on PATH (it installs workloads and Istio into the k3s container)";
                }
            }

            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"k3s backend: Docker does not answer ({e.GetType().Name}: {e.Message}); run with FLAGGER_E2E_BACKEND=simulated";
        }
    }

    public static async Task<K3sBackend> StartAsync(CancellationToken cancellationToken)
    {
        var container = new K3sBuilder(K3sImage)
            .WithPortBinding(PrometheusNodePort, assignRandomHostPort: true)
            .WithPortBinding(LoadTesterNodePort, assignRandomHostPort: true)
            .Build();
        await container.StartAsync(cancellationToken);
        var kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("flagger-e2e-k3s-").FullName, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, await container.GetKubeconfigAsync(), cancellationToken);
        var alerts = new AlertReceiver();
        var backend = new K3sBackend(container, kubeconfig, alerts);
        try
        {
            await backend.RunAsync("istioctl", ["install", "--set", "profile=minimal", "--set", "meshConfig.defaultConfig.holdApplicationUntilProxyStarts=true", "-y"], cancellationToken);
            foreach (var crd in Directory.GetFiles(Path.Combine(Ports.RepositoryRoot, "deploy", "crds"), "*.yaml"))
            {
                await backend.RunAsync("kubectl", ["apply", "--server-side", "-f", crd], cancellationToken);
            }

            await backend.ApplyAsync(Manifests.Infrastructure(PrometheusNodePort, LoadTesterNodePort), cancellationToken);
            await backend.RunAsync("kubectl", ["-n", "flagger-system", "rollout", "status", "deployment/prometheus", "--timeout=300s"], cancellationToken);
            await backend.RunAsync("kubectl", ["-n", "flagger-system", "rollout", "status", "deployment/flagger-loadtester", "--timeout=300s"], cancellationToken);
            await backend._operator.StartAsync(cancellationToken);
            return backend;
        }
        catch
        {
            await backend.DisposeAsync();
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
        await RunAsync("kubectl", ["create", "ns", name], cancellationToken);
        await RunAsync("kubectl", ["label", "namespace", name, "istio-injection=enabled", "--overwrite"], cancellationToken);
    }

    public async Task ApplyAsync(string yaml, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetDirectoryName(_kubeconfig)!, $"apply-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml, cancellationToken);
        await RunAsync("kubectl", ["apply", "-f", file], cancellationToken);
    }

    // Upstream's e2e drives traffic with the loadtester's `hey` against the canary Service.
    public string TrafficWebhooks(string ns, string service, string indent, string path = "/") => TrafficWebhookYaml(LoadTesterUrl, ns, service, indent, path);

    internal static string TrafficWebhookYaml(string loadTesterUrl, string ns, string service, string indent, string path) => $"""
        {indent}- name: load-test
        {indent}  type: rollout
        {indent}  url: {loadTesterUrl}
        {indent}  timeout: 5s
        {indent}  metadata:
        {indent}    cmd: "hey -z 1m -q 10 -c 2 http://{service}-canary.{ns}:9898{path}"

        """;

    public Task StartRuntimeAsync(CancellationToken cancellationToken) => _operator.StartAsync(cancellationToken);

    public Task StopRuntimeAsync(CancellationToken cancellationToken) => _operator.StopAsync();

    public async Task InstallProviderAsync(string provider, CancellationToken cancellationToken)
    {
        await _installs.WaitAsync(cancellationToken);
        try
        {
            if (_installed.Add(provider))
            {
                foreach (var command in Installs.ProviderInstalls.For(provider).Commands)
                {
                    await RunAsync(command[0], command[1..], cancellationToken);
                }
            }
        }
        finally
        {
            _installs.Release();
        }
    }

    private async Task RunAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.Environment["KUBECONFIG"] = _kubeconfig;
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
    }

    private static string? FindOnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        _installs.Dispose();
        await _operator.StopAsync();
        Alerts.Dispose();
        Client.Dispose();
        _http.Dispose();
        await _container.DisposeAsync();
    }
}
