using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Runtime;
using Flagger.Simulator;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>
/// A simulated cluster (the repository's CRDs and Istio's installed) and the operator running in-process against it,
/// started from upstream-style flags; its logs are captured by <see cref="Logs"/>.
/// </summary>
internal sealed class OperatorHarness : IAsyncDisposable
{
    /// <summary>
    /// The product every request of the operator names in its user agent, <c>flagger-dotnet/&lt;version&gt; (&lt;identity&gt;)</c>
    /// (src/Flagger.Runtime/Configuration/OperatorIdentity.cs); the simulator's accounting matches it as a substring.
    /// </summary>
    public const string UserAgent = "flagger-dotnet";

    /// <summary>The user agent of the test's own client (<see cref="Client"/>).</summary>
    public const string TestUserAgent = "flagger-deploy-tests";

    private WebApplication? _app;

    private OperatorHarness(SimulatedCluster cluster)
    {
        Cluster = cluster;
        var configuration = cluster.ClientConfiguration();
        configuration.UserAgent = TestUserAgent;
        Client = new k8s.Kubernetes(configuration);
    }

    public SimulatedCluster Cluster { get; }

    public k8s.Kubernetes Client { get; }

    public CapturedLogs Logs { get; } = new();

    /// <summary>Base URL of the running operator's HTTP endpoint (/healthz, /readyz, /metrics).</summary>
    public Uri? OperatorUrl { get; private set; }

    /// <summary>Starts a cluster; <paramref name="installCrds"/> applies deploy/crds and Istio's CRDs, then the namespaces.</summary>
    public static async Task<OperatorHarness> StartAsync(bool installCrds = true, params string[] namespaces) =>
        await StartAsync(installCrds, enforceRbac: false, namespaces);

    /// <summary>As above; with <paramref name="enforceRbac"/> the simulator authorizes every request by the RBAC objects applied to it.</summary>
    public static async Task<OperatorHarness> StartAsync(bool installCrds, bool enforceRbac, params string[] namespaces)
    {
        var cluster = await SimulatedCluster.StartAsync(new SimulatorOptions
        {
            EnableTraffic = false, WorkloadDelay = TimeSpan.FromMilliseconds(100), EnforceRbac = enforceRbac,
        });
        var harness = new OperatorHarness(cluster);
        if (installCrds)
        {
            foreach (var file in Directory.GetFiles(RepoRoot.Combine("deploy", "crds"), "*.yaml").Order(StringComparer.Ordinal)
                         .Append(RepoRoot.Combine("deploy", "dev", "istio-crds.yaml")))
            {
                cluster.Apply(await File.ReadAllTextAsync(file));
            }
        }

        foreach (var ns in namespaces)
        {
            cluster.Apply($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n");
        }

        return harness;
    }

    /// <summary>Builds and starts the operator with exactly <paramref name="args"/> (nothing added).</summary>
    public async Task StartOperatorAsync(IReadOnlyList<string> args)
    {
        var (app, exit) = FlaggerHost.Build([.. args], builder => builder.Logging.ClearProviders().AddProvider(Logs));
        Assert.True(app is not null, $"the operator refused its args (exit {exit}): {string.Join(' ', args)}");
        _app = app;
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        OperatorUrl = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>The flags the tests run with: kubeconfig of the simulator (or <paramref name="kubeconfig"/>), a 1s analysis floor, a free port.</summary>
    public string[] TestFlags(string logLevel = "info", string? kubeconfig = null) =>
        [$"-kubeconfig={kubeconfig ?? Cluster.KubeconfigPath}", "-min-analysis-interval=1s", "-port=0", $"-log-level={logLevel}"];

    public async Task StopOperatorAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Creates or replaces the objects of a YAML manifest (directly in the store, not through the API).</summary>
    public void Apply(string yaml) => Cluster.Apply(yaml);

    /// <summary>A podinfo-like Deployment; <paramref name="configMap"/> / <paramref name="secret"/> are referenced through envFrom.</summary>
    public static string Deployment(string ns, string name, string image, int replicas = 1, string? configMap = null, string? secret = null) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            app: {name}
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
                - name: {name}
                  image: {image}
                  ports:
                    - name: http
                      containerPort: 9898
        {EnvFrom(configMap, secret)}
        """;

    private static string EnvFrom(string? configMap, string? secret)
    {
        if (configMap is null && secret is null)
        {
            return "";
        }

        var lines = new List<string> { "          envFrom:" };
        if (configMap is not null)
        {
            lines.Add($"            - configMapRef: {{ name: {configMap} }}");
        }

        if (secret is not null)
        {
            lines.Add($"            - secretRef: {{ name: {secret} }}");
        }

        return string.Join('\n', lines);
    }

    public async Task SetImageAsync(string ns, string deployment, string image)
    {
        var patch = JsonSerializer.Serialize(new { spec = new { template = new { spec = new { containers = new[] { new { name = deployment, image } } } } } });
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), deployment, ns,
            cancellationToken: TestContext.Current.CancellationToken);
    }

    public async Task<Canary?> GetCanaryAsync(string ns, string name)
    {
        var generic = new GenericClient(Client, FlaggerApi.Group, FlaggerApi.Version, Canary.KubePlural, disposeClient: false);
        try
        {
            return await generic.ReadNamespacedAsync<Canary>(ns, name, TestContext.Current.CancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits (bounded) for the canary to reach <paramref name="phase"/>; fails with the phases seen and the events.</summary>
    public async Task<Canary> WaitForPhaseAsync(string ns, string name, CanaryPhase phase, int timeoutSeconds = 60)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            var canary = await GetCanaryAsync(ns, name);
            var current = canary?.Status?.Phase ?? "";
            if (seen.Count == 0 || seen[^1] != current)
            {
                seen.Add(current);
            }

            if (current == phase.ToString())
            {
                return canary!;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var last = await GetCanaryAsync(ns, name);
        Assert.Fail($"canary {name}.{ns} did not reach {phase} within {timeoutSeconds}s; phases seen: {string.Join(" → ", seen)}; " +
            $"status: {KubernetesJson.Serialize(last?.Status)}; events: {string.Join(" | ", await EventMessagesAsync(ns))}; " +
            $"operator errors: {string.Join(" | ", Logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Text).TakeLast(10))}");
        return null!;
    }

    /// <summary>Waits (bounded) until the canary is gone from the API.</summary>
    public async Task WaitForDeletionAsync(string ns, string name, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await GetCanaryAsync(ns, name) is null)
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"canary {name}.{ns} still exists {timeoutSeconds}s after deletion; events: {string.Join(" | ", await EventMessagesAsync(ns))}");
    }

    public async Task<List<string>> EventMessagesAsync(string ns)
    {
        var events = await Client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: TestContext.Current.CancellationToken);
        return [.. events.Items.OrderBy(e => e.Metadata.ResourceVersion?.PadLeft(12, '0')).Select(e => e.Message)];
    }

    /// <summary>All Events of a namespace as JSON text (every field, not only the message).</summary>
    public async Task<string> EventsJsonAsync(string ns)
    {
        var events = await Client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: TestContext.Current.CancellationToken);
        return KubernetesJson.Serialize(events);
    }

    public async Task<JsonNode?> CanaryJsonAsync(string ns, string name) =>
        JsonNode.Parse(KubernetesJson.Serialize(await GetCanaryAsync(ns, name)));

    public async ValueTask DisposeAsync()
    {
        await StopOperatorAsync();
        Client.Dispose();
        await Cluster.DisposeAsync();
    }
}
