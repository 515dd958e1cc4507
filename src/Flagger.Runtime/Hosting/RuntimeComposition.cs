using Flagger.Modules.Alerting;
using Flagger.Modules.Analysis;
using Flagger.Modules.Rollout;
using Flagger.Modules.Routing;
using Flagger.Modules.Webhooks;
using Flagger.Modules.Workloads;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Runtime.Configuration;

namespace Flagger.Runtime.Hosting;

/// <summary>The runtime's own wiring: logging level, HTTP port, cluster access, leader election, startup checks.</summary>
internal static class RuntimeComposition
{
    /// <summary>Maps upstream's <c>-log-level</c> (debug, info, warning, error) onto the minimum log level.</summary>
    public static WebApplicationBuilder AddFlaggerLogging(this WebApplicationBuilder builder, FlaggerOptions options)
    {
        builder.Logging.SetMinimumLevel(options.LogLevel.ToLowerInvariant() switch
        {
            "debug" => LogLevel.Debug,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        return builder;
    }

    /// <summary>Serves on <c>-port</c> (default 8080) unless the host was given URLs (as Aspire does) and no port flag.</summary>
    public static WebApplicationBuilder ListenOn(this WebApplicationBuilder builder, FlaggerOptions options, bool portGiven)
    {
        var hostUrls = builder.Configuration["ASPNETCORE_URLS"] ?? builder.Configuration["urls"] ?? builder.Configuration["HTTP_PORTS"];
        if (portGiven || string.IsNullOrEmpty(hostUrls))
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{options.Port}");
        }

        return builder;
    }

    /// <summary>
    /// Cluster access: the informer caches watch the kinds the modules declared (each module's <c>Add…Module</c>
    /// contributes its <c>WatchRegistration</c>s; Flagger's own kinds come from the Shared module), so the host lists none.
    /// </summary>
    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder, FlaggerOptions options)
    {
        var identity = OperatorIdentity.New();
        builder.Services.AddSingleton(identity);
        builder.AddKubernetesAccess(
            KubeConfigLoader.Load(options, identity),
            new KubernetesAccessSettings(options.Namespace, options.EnableLeaderElection, options.KubeconfigQps, options.KubeconfigBurst));
        builder.Services.AddSingleton<StartupChecks>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StartupChecks>());
        builder.Services.AddHealthChecks().AddCheck<CachesSyncedCheck>("caches", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// The modules, each given its settings from the one set of flags: explicit mapping, so a flag means the same
    /// thing everywhere and a module's options never depend on configuration key spelling.
    /// </summary>
    public static WebApplicationBuilder AddFlaggerModules(this WebApplicationBuilder builder, FlaggerOptions options)
    {
        builder.AddWorkloadsModule();
        builder.Services.Configure<WorkloadOptions>(o =>
        {
            o.SelectorLabels = WorkloadOptions.SplitList(options.SelectorLabels);
            o.IncludeLabelPrefix = WorkloadOptions.SplitList(options.IncludeLabelPrefix);
            o.EnableConfigTracking = options.EnableConfigTracking;
        });
        builder.AddRoutingModule(o =>
        {
            o.MeshProvider = options.MeshProvider;
            o.IngressClass = options.IngressClass;
            o.IngressAnnotationsPrefix = options.IngressAnnotationsPrefix;
        });
        builder.AddAnalysisModule();
        builder.Services.Configure<AnalysisOptions>(o =>
        {
            o.MetricsServer = options.MetricsServer;
            o.MeshProvider = options.MeshProvider;
            o.NoCrossNamespaceRefs = options.NoCrossNamespaceRefs;
        });
        builder.AddWebhooksModule();
        builder.Services.Configure<WebhooksOptions>(o => o.EventWebhook = options.EventWebhook);
        builder.AddAlertingModule();
        builder.Services.Configure<AlertingOptions>(o =>
        {
            o.ClusterName = options.ClusterName;
            o.SlackUrl = options.SlackUrl;
            o.SlackToken = options.SlackToken;
            o.SlackProxyUrl = options.SlackProxyUrl;
            o.SlackUser = options.SlackUser;
            o.SlackChannel = options.SlackChannel;
            o.MsTeamsUrl = options.MsteamsUrl;
            o.MsTeamsProxyUrl = options.MsteamsProxyUrl;
        });
        builder.AddRolloutModule(o =>
        {
            o.MeshProvider = options.MeshProvider;
            o.NoCrossNamespaceRefs = options.NoCrossNamespaceRefs;
            o.MinAnalysisInterval = options.MinAnalysisInterval;

            // -threadiness bounds how many canary steps run at once (upstream: the workqueue's workers).
            o.MaxConcurrentSteps = Math.Max(1, options.Threadiness);
        });
        return builder;
    }

    /// <summary>
    /// With <c>-enable-leader-election</c>, only the holder of the Lease acts: the election service campaigns for the
    /// Lease and drives the <see cref="Leadership"/> that <see cref="AddCluster"/> registered as not yet leading.
    /// </summary>
    public static WebApplicationBuilder AddLeaderElection(this WebApplicationBuilder builder, FlaggerOptions options)
    {
        if (!options.EnableLeaderElection)
        {
            return builder;
        }

        // Upstream: -namespace also overrides the election namespace.
        var electionNamespace = string.IsNullOrEmpty(options.Namespace) ? options.LeaderElectionNamespace : options.Namespace;
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<LeaderElectionService>(sp, electionNamespace));
        return builder;
    }
}
