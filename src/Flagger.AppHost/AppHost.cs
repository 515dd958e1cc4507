using Flagger.AppHost;

// The local environment as a dependency graph:
//   cluster (k3s container, or the simulated cluster seeded with CRDs + podinfo + Canary)
//   prometheus (scrapes the mesh telemetry and the operator) ── alerts (Slack-compatible receiver page)
//   loadtester ── flagger (the operator: kubeconfig from the cluster, metrics from Prometheus, alerts to the receiver)
// Every process listens on a free 127.0.0.1 port; the kubeconfig is always written to .tmp/kubeconfig.
var builder = DistributedApplication.CreateBuilder(args);
var repo = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
var work = Path.Combine(repo, ".tmp");
var kubeconfig = Path.Combine(work, "kubeconfig");
Directory.CreateDirectory(work);

var ports = new { Api = Tools.FreePort(), Telemetry = Tools.FreePort(), Prometheus = Tools.FreePort(), Flagger = Tools.FreePort(), LoadTester = Tools.FreePort(), Alerts = Tools.FreePort() };
var urls = new { Prometheus = $"http://127.0.0.1:{ports.Prometheus}", LoadTester = $"http://127.0.0.1:{ports.LoadTester}", Alerts = $"http://127.0.0.1:{ports.Alerts}" };

var containerRuntime = new Lazy<ContainerRuntimeProbe>(ContainerRuntimeProbe.Run);
var cluster = ClusterMode.Choose(builder.Configuration["Cluster:Mode"], () => containerRuntime.Value, () => K3sSetup.Missing(name => Tools.Find(name)));
Console.WriteLine($"flagger-apphost: cluster = {cluster.Kind.ToString().ToLowerInvariant()}, because {cluster.Reason}.");
Console.WriteLine($"flagger-apphost: kubeconfig {kubeconfig}  (kubectl --kubeconfig {kubeconfig} get canaries -n test)");
Console.WriteLine($"flagger-apphost: prometheus {urls.Prometheus}  alerts {urls.Alerts}  loadtester {urls.LoadTester}");

// --- the cluster, seeded -------------------------------------------------------------------------------------
var seedDir = Path.Combine(work, "seed");
var seedFiles = SeedManifests.RenderAll(SeedManifests.SimulatorFiles(repo), seedDir, urls.Prometheus, urls.LoadTester);

IResourceBuilder<IResource> clusterReady;   // what "the cluster is up and seeded" means for its dependants
ScrapeTarget meshTelemetry;
string? k3sMeshScrape = null;
if (cluster.Kind == ClusterKind.Simulator)
{
    File.Delete(kubeconfig);
    var simulator = builder.AddProject<Projects.Flagger_Simulator>("cluster", launchProfileName: null)
        .WithHttpEndpoint(port: ports.Api, name: "api", isProxied: false)
        .WithHttpEndpoint(port: ports.Telemetry, name: "telemetry", isProxied: false)
        .WithArgs(["--port", $"{ports.Api}", "--telemetry-port", $"{ports.Telemetry}", "--kubeconfig", kubeconfig])
        .WithArgs([.. seedFiles.SelectMany(f => new[] { "--apply", f })])
        // healthy once the seed is applied: the sample Canary exists
        .WithHttpHealthCheck("/apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo", endpointName: "api");
    clusterReady = simulator;
    meshTelemetry = new ScrapeTarget("simulator-mesh", $"127.0.0.1:{ports.Telemetry}");
}
else
{
    var k3sDir = Path.Combine(work, "k3s");
    var certDir = Path.Combine(k3sDir, "certs");
    Directory.CreateDirectory(k3sDir);
    var missing = K3sSetup.Missing(name => Tools.Find(name));
    foreach (var m in missing)
    {
        Console.WriteLine($"flagger-apphost: k3s mode cannot finish its setup: {m}");
    }

    var k3s = builder.AddContainer("cluster", K3sSetup.Image, K3sSetup.Tag)
        .WithArgs([.. K3sSetup.ServerArgs(ports.Api)])
        .WithContainerRuntimeArgs("--privileged", "--tmpfs", "/run", "--tmpfs", "/var/run")
        .WithBindMount(k3sDir, "/output")
        .WithEndpoint(port: ports.Api, targetPort: ports.Api, scheme: "https", name: "api", isProxied: false);
    foreach (var (key, value) in K3sSetup.ServerEnvironment())
    {
        k3s.WithEnvironment(key, value);
    }

    var script = Path.Combine(k3sDir, "setup.sh");
    File.WriteAllText(script, K3sSetup.Script(K3sSetup.ChooseInstaller(name => Tools.Find(name)), missing,
        Path.Combine(k3sDir, "kubeconfig"), kubeconfig, certDir, repo, seedDir));
    var setup = builder.AddExecutable("cluster-setup", "bash", repo, script)
        .WaitFor(k3s);
    clusterReady = setup;
    meshTelemetry = new ScrapeTarget("k3s-apiserver", $"127.0.0.1:{ports.Api}", "/metrics"); // replaced below
    k3sMeshScrape = PrometheusConfig.K3sMeshScrape($"127.0.0.1:{ports.Api}", kubeconfig, certDir);
}

// --- Prometheus ----------------------------------------------------------------------------------------------
var promDir = Path.Combine(work, "prometheus");
Directory.CreateDirectory(promDir);
if (Directory.Exists(Path.Combine(promDir, "data")))
{
    Directory.Delete(Path.Combine(promDir, "data"), recursive: true); // no stale series from a previous run
}

ScrapeTarget[] targets = cluster.Kind == ClusterKind.Simulator
    ? [meshTelemetry, new("flagger", $"127.0.0.1:{ports.Flagger}"), new("loadtester", $"127.0.0.1:{ports.LoadTester}")]
    : [new("flagger", $"127.0.0.1:{ports.Flagger}"), new("loadtester", $"127.0.0.1:{ports.LoadTester}")];
File.WriteAllText(Path.Combine(promDir, "prometheus.yml"), PrometheusConfig.Render(TimeSpan.FromSeconds(2), targets, k3sMeshScrape));

var prometheusSource = PrometheusSource.Choose(repo, () => containerRuntime.Value);
Console.WriteLine($"flagger-apphost: prometheus = {prometheusSource.Description}");
IResourceBuilder<IResource>? prometheus = prometheusSource.Kind switch
{
    PrometheusKind.Binary => builder.AddExecutable("prometheus", prometheusSource.Path!, promDir,
            PrometheusSource.Args(Path.Combine(promDir, "prometheus.yml"), Path.Combine(promDir, "data"), ports.Prometheus))
        .WithHttpEndpoint(port: ports.Prometheus, name: "http", isProxied: false)
        .WithHttpHealthCheck("/-/ready", endpointName: "http")
        .WaitForCluster(clusterReady),
    // host networking so the container reaches the loopback targets (Linux; Docker Desktop needs host networking enabled)
    PrometheusKind.Container => builder.AddContainer("prometheus", "prom/prometheus", "v3.5.0")
        .WithBindMount(promDir, "/etc/prometheus")
        .WithContainerRuntimeArgs("--network=host")
        .WithArgs(PrometheusSource.Args("/etc/prometheus/prometheus.yml", "/prometheus", ports.Prometheus))
        .WithHttpEndpoint(port: ports.Prometheus, targetPort: ports.Prometheus, name: "http", isProxied: false)
        .WithHttpHealthCheck("/-/ready", endpointName: "http")
        .WaitForCluster(clusterReady),
    _ => null,
};

// --- alert receiver and loadtester ---------------------------------------------------------------------------
var alerts = builder.AddProject<Projects.Flagger_AlertReceiver>("alerts", launchProfileName: null)
    .WithHttpEndpoint(port: ports.Alerts, name: "http", isProxied: false)
    .WithHttpHealthCheck("/healthz");

var loadtester = builder.AddProject<Projects.Flagger_LoadTester>("loadtester", launchProfileName: null)
    .WithHttpEndpoint(port: ports.LoadTester, name: "http", isProxied: false)
    .WithArgs("-port", $"{ports.LoadTester}", "-state-dir", Path.Combine(work, "loadtester"), "-log-level", "info", "-zap-encoding", "console")
    .WithHttpHealthCheck("/healthz");

// --- the operator --------------------------------------------------------------------------------------------
var flagger = builder.AddProject<Projects.Flagger_Runtime>("flagger", launchProfileName: null)
    .WithHttpEndpoint(port: ports.Flagger, name: "http", isProxied: false)
    .WithArgs(
        "-kubeconfig", kubeconfig,
        "-mesh-provider", "istio",
        "-metrics-server", urls.Prometheus,
        "-min-analysis-interval", "1s",
        "-slack-url", $"{urls.Alerts}/services/local-webhook",
        "-slack-channel", "flagger-alerts",
        "-slack-user", "flagger",
        "-log-level", "info")
    .WithReference(alerts)
    .WithReference(loadtester)
    .WithHttpHealthCheck("/healthz")
    .WaitFor(alerts)
    .WaitFor(loadtester)
    .WaitForCluster(clusterReady);
if (prometheus is not null)
{
    flagger.WaitFor(prometheus);
}

builder.Build().Run();
