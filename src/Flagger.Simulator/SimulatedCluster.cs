using System.Net;
using System.Security.Cryptography;
using Flagger.Simulator.Api;
using Flagger.Simulator.Auth;
using Flagger.Simulator.Control;
using Flagger.Simulator.GatewayApi;
using Flagger.Simulator.Keda;
using Flagger.Simulator.Keptn;
using Flagger.Simulator.Knative;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic;
using Flagger.Simulator.Workloads;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Flagger.Simulator;

/// <summary>
/// A Kubernetes-API-compatible cluster on a loopback port: the API server (store, watches, patches, discovery),
/// the workload controller, the traffic model with its Prometheus endpoint, and the <c>/simulator/</c> control API.
/// Start one per test class with <see cref="StartAsync"/>; the process entry point uses the same type.
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    private readonly WebApplication api;
    private readonly WebApplication? telemetry;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> background = [];
    private readonly string tempDir;
    private readonly ILoggerFactory loggers;
    private readonly Authenticator authenticator;

    private SimulatedCluster(SimulatorOptions options, string token)
    {
        Options = options;
        Token = token;
        Store = new ClusterStore(TimeProvider.System, options.WatchHistory);
        for (var i = 1; i <= options.Nodes; i++)
        {
            // Created, then given the status a kubelet would post (a create drops status).
            var created = Store.Create(BuiltinTypes.Nodes, null, Scheduling.NodeObject(i, Store.Time.GetUtcNow()));
            Store.Update(BuiltinTypes.Nodes, null, created.Name, Scheduling.NodeObject(i, Store.Time.GetUtcNow()), status: true);
        }

        Faults = new FaultInjector();
        Requests = new RequestAccounting();
        Registry = Metrics.NewCustomRegistry();
        loggers = LoggerFactory.Create(b =>
        {
            if (options.LogToConsole)
            {
                b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
            }
        });
        Traffic = new TrafficModel(Store, TrafficProviders.RouteTables(), TrafficProviders.Exporters(Registry), options.TrafficTick,
            loggers.CreateLogger<TrafficModel>());
        Workloads = new WorkloadController(Store, options, loggers.CreateLogger<WorkloadController>());
        Keptn = new KeptnController(Store, loggers.CreateLogger<KeptnController>());
        GatewayApi = new GatewayApiController(Store, loggers.CreateLogger<GatewayApiController>());
        Knative = new KnativeServingController(Store, loggers.CreateLogger<KnativeServingController>());
        Keda = new KedaController(Store, loggers.CreateLogger<KedaController>());
        tempDir = Directory.CreateTempSubdirectory("flagger-sim-").FullName;
        authenticator = new Authenticator(token);
        var handler = new KubeApiHandler(Store, options, authenticator, Faults, Requests, new SimulatorTelemetry(Registry));
        var control = new ControlApi(Store, Faults, Requests, Traffic);
        api = BuildApp(options.Port, options.LogToConsole, app =>
        {
            app.Map("/simulator", branch => branch.Run(ctx =>
            {
                ctx.Request.PathBase = PathString.Empty;
                ctx.Request.Path = "/simulator" + ctx.Request.Path;
                return control.HandleAsync(ctx);
            }));
            app.Run(handler.HandleAsync);
        });
        if (options.TelemetryPort >= 0)
        {
            telemetry = BuildApp(options.TelemetryPort, options.LogToConsole, app => app.Run(async ctx =>
            {
                if (ctx.Request.Path != "/metrics")
                {
                    ctx.Response.StatusCode = 404;
                    return;
                }

                ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted);
            }));
        }
    }

    /// <summary>The settings this cluster runs with.</summary>
    public SimulatorOptions Options { get; }

    /// <summary>Base URL of the API server (http://127.0.0.1:port).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>URL of the Prometheus endpoint (…/metrics), or null when telemetry is disabled.</summary>
    public Uri? TelemetryUrl { get; private set; }

    /// <summary>The bearer token the API server accepts.</summary>
    public string Token { get; }

    /// <summary>Path of a kubeconfig file (plain http, bearer token) pointing at this cluster.</summary>
    public string KubeconfigPath { get; private set; } = "";

    /// <summary>Fault rules applied to API requests.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Counts of API requests by verb, resource, namespace and client.</summary>
    public RequestAccounting Requests { get; }

    internal ClusterStore Store { get; }

    internal TrafficModel Traffic { get; }

    /// <summary>The stand-in for Keptn's metrics-operator (active once the Keptn CRDs are applied).</summary>
    public KeptnController Keptn { get; }

    /// <summary>The stand-in for a Gateway API implementation (active once the Gateway API CRDs are applied).</summary>
    public GatewayApiController GatewayApi { get; }
    /// <summary>The stand-in for Knative Serving and Kourier (active once the Knative CRDs are applied).</summary>
    internal KnativeServingController Knative { get; }

    /// <summary>The stand-in for KEDA's operator (active once the ScaledObject CRD is applied).</summary>
    public KedaController Keda { get; }

    internal WorkloadController Workloads { get; }

    internal CollectorRegistry Registry { get; }

    /// <summary>A bearer token of the service account <paramref name="name"/> in <paramref name="ns"/> (what its mounted token would be).</summary>
    public string ServiceAccountToken(string ns, string name) => authenticator.ServiceAccountToken(ns, name);

    /// <summary>A bearer token of a user in the given groups (plus <c>system:authenticated</c>).</summary>
    public string UserToken(string user, params string[] groups) => authenticator.UserToken(user, groups);

    /// <summary>Writes a kubeconfig that authenticates with <paramref name="token"/> (e.g. a service account's) and returns its path.</summary>
    public async Task<string> WriteKubeconfigAsync(string token, string fileName, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(tempDir, fileName);
        await File.WriteAllTextAsync(path, Kubeconfig(Url, token), cancellationToken);
        return path;
    }

    /// <summary>A client configuration for KubernetesClient, new on every call.</summary>
    public KubernetesClientConfiguration ClientConfiguration() => new()
    {
        Host = Url.ToString().TrimEnd('/'),
        AccessToken = Token,
        Namespace = "default",
    };

    /// <summary>
    /// Creates (or replaces) every object of a multi-document YAML or JSON manifest, in order — e.g. Flagger's and
    /// Istio's CRDs, then workloads. Returns "kind/name" of each object; an unknown kind or invalid object throws
    /// <see cref="InvalidOperationException"/> naming the document.
    /// </summary>
    public IReadOnlyList<string> Apply(string manifest)
    {
        var applied = new List<string>();
        var documents = Wrap(() => BodyParser.ParseYamlDocuments(manifest), "manifest");
        for (var i = 0; i < documents.Count; i++)
        {
            var doc = documents[i];
            var apiVersion = (string?)doc["apiVersion"] ?? "";
            var kind = (string?)doc["kind"] ?? "";
            var name = (string?)doc["metadata"]?["name"] ?? "";
            var slash = apiVersion.IndexOf('/');
            var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
            var type = Store.Types().FirstOrDefault(t => t.Group == group && t.Kind == kind && t.Versions.Contains(version))
                ?? throw new InvalidOperationException($"document {i} ({apiVersion} {kind} {name}): no such kind is served (is its CRD applied first?)");
            var ns = type.Namespaced ? (string?)doc["metadata"]?["namespace"] ?? "default" : null;
            Wrap(() =>
            {
                if (Store.TryGet(type, ns, name) is { } existing)
                {
                    ((System.Text.Json.Nodes.JsonObject)doc["metadata"]!)["resourceVersion"] = existing.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Store.Update(type, ns, name, doc, status: false);
                }

                return Store.Create(type, ns, doc);
            }, $"document {i} ({kind} {name})");
            applied.Add($"{type.Singular}/{name}");
        }

        return applied;
    }

    private static T Wrap<T>(Func<T> action, string what)
    {
        try
        {
            return action();
        }
        catch (ApiException ex)
        {
            throw new InvalidOperationException($"{what}: {ex.Message}", ex);
        }
    }

    /// <summary>Starts a cluster on loopback ports and writes its kubeconfig (to <paramref name="kubeconfigPath"/> or a temp file).</summary>
    public static async Task<SimulatedCluster> StartAsync(SimulatorOptions? options = null, string? kubeconfigPath = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        var token = options.Token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var cluster = new SimulatedCluster(options, token);
        try
        {
            await cluster.api.StartAsync(cancellationToken);
            cluster.Url = new Uri(Address(cluster.api));
            if (cluster.telemetry is not null)
            {
                await cluster.telemetry.StartAsync(cancellationToken);
                cluster.TelemetryUrl = new Uri(Address(cluster.telemetry) + "/metrics");
            }

            cluster.KubeconfigPath = kubeconfigPath ?? Path.Combine(cluster.tempDir, "kubeconfig");
            await File.WriteAllTextAsync(cluster.KubeconfigPath, Kubeconfig(cluster.Url, token), cancellationToken);
            if (options.EnableWorkloadController)
            {
                cluster.background.Add(cluster.Workloads.RunAsync(cluster.stopping.Token));
            }

            cluster.background.Add(cluster.Keptn.RunAsync(cluster.stopping.Token));
            cluster.background.Add(cluster.GatewayApi.RunAsync(cluster.stopping.Token));
            if (options.EnableWorkloadController)
            {
                // both create or scale Deployments, whose status only the workload controller writes
                cluster.background.Add(cluster.Knative.RunAsync(cluster.stopping.Token));
                cluster.background.Add(cluster.Keda.RunAsync(cluster.stopping.Token));
            }
            if (options.EnableTraffic)
            {
                cluster.background.Add(cluster.Traffic.RunAsync(cluster.stopping.Token));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static string Address(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    private static string Kubeconfig(Uri url, string token) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: flagger-simulator
          cluster:
            server: {{url.ToString().TrimEnd('/')}}
        contexts:
        - name: flagger-simulator
          context:
            cluster: flagger-simulator
            user: flagger-simulator
            namespace: default
        current-context: flagger-simulator
        users:
        - name: flagger-simulator
          user:
            token: {{token}}
        preferences: {}

        """;

    private static WebApplication BuildApp(int port, bool log, Action<WebApplication> configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (log)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }

        builder.Services.AddSingleton<IHostLifetime, DetachedLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        configure(app);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try
        {
            await Task.WhenAll(background);
        }
        catch (OperationCanceledException)
        {
            // Background loops end by cancellation.
        }

        Store.CloseWatches(_ => true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await api.StopAsync(timeout.Token);
        await api.DisposeAsync();
        if (telemetry is not null)
        {
            await telemetry.StopAsync(timeout.Token);
            await telemetry.DisposeAsync();
        }

        stopping.Dispose();
        loggers.Dispose();
        try
        {
            Directory.Delete(tempDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a client process; the temp folder is left behind.
        }
    }

    /// <summary>The host does not own the process: signals are handled by whoever started the cluster.</summary>
    private sealed class DetachedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
