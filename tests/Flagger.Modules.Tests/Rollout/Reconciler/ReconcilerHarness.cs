using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Rollout;
using Flagger.Modules.Rollout.Reconciler;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Shared.Telemetry;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Webhooks.Contracts;
using Flagger.Modules.Workloads;
using Flagger.Modules.Workloads.Contracts;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Rollout.Reconciler;

/// <summary>
/// The rollout module as the operator wires it, on an in-memory cluster: the real Workloads and Routing factories
/// (wrapped to count how often they create a controller or router), no-op analysis, webhooks and alerts, recorded events.
/// Workloads become ready only when a test says so (<see cref="MarkDeploymentsReady"/>), as the kubelet would.
/// </summary>
internal sealed class ReconcilerHarness : IDisposable
{
    private readonly IHost _host;

    public ReconcilerHarness(string meshProvider = "kubernetes")
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddSingleton<IKubeCache>(Kube);
        builder.Services.AddSingleton<IKubeWriter>(Kube);
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.AddSingleton(new FlaggerMetrics(Prometheus.Metrics.NewCustomRegistry()));
        builder.Services.AddSingleton<IEventRecorder>(Events);
        builder.Services.AddSingleton<IEventWebhook, NoEventWebhook>();
        builder.Services.AddSingleton<IAlerter, NoAlerter>();
        builder.Services.AddSingleton<ICanaryAnalyzer, PassingAnalyzer>();
        builder.Services.AddSingleton<IWebhookRunner>(Hooks);
        builder.AddWorkloadsModule();
        builder.AddRoutingModule(o => o.MeshProvider = meshProvider);
        builder.AddRolloutModule(o => o.MeshProvider = meshProvider);
        Decorate<ITargetControllerFactory>(builder.Services, inner => new CountingTargetFactory(inner, Counts));
        Decorate<IRoutingFactory>(builder.Services, inner => new CountingRoutingFactory(inner, Counts));
        _host = builder.Build();
        Reconciler = _host.Services.GetRequiredService<CanaryReconciler>();
        Kube.WatchingProvider = provider => EnsuredWatches.Add((provider, Counts.TrafficRouters));
    }

    /// <summary>Each provider whose watches a step awaited, with the traffic routers that step had created by then.</summary>
    public List<(string Provider, int TrafficRoutersBefore)> EnsuredWatches { get; } = [];

    public InMemoryKube Kube { get; } = new();

    public FakeTimeProvider Time { get; } = new(Now);

    public RecordingEvents Events { get; } = new();

    public CreationCounts Counts { get; } = new();

    public CanaryReconciler Reconciler { get; }

    /// <summary>The canary webhooks; a test that uses hooks gives them a behaviour.</summary>
    public ScriptedWebhookRunner Hooks { get; } = new();

    public static Canary BlueGreenCanary(Action<CanarySpec>? configure = null) => Canary(configure: spec =>
    {
        spec.Provider = "kubernetes";
        spec.ProgressDeadlineSeconds = 600;
        spec.Analysis = new CanaryAnalysis { Interval = "1m", Iterations = 2, Threshold = 2 };
        configure?.Invoke(spec);
    });

    public static Canary IstioCanary() => Canary(configure: spec =>
    {
        spec.Provider = "istio";
        spec.ProgressDeadlineSeconds = 600;
        spec.Analysis = new CanaryAnalysis { Interval = "1m", Threshold = 2, MaxWeight = 20, StepWeight = 10 };
    });

    /// <summary>Runs one interval step after a minute; returns what the step created and wrote.</summary>
    public async Task<(CreationCounts Created, int Writes)> StepAsync(Canary canary, StepTrigger trigger = StepTrigger.Interval)
    {
        Time.Advance(TimeSpan.FromMinutes(1));
        Counts.Reset();
        var writes = Kube.Writes.Count;
        await Reconciler.StepAsync(new CanaryKey(Ns, canary.Metadata.Name), trigger, TestContext.Current.CancellationToken);
        return (Counts.Snapshot(), Kube.Writes.Count - writes);
    }

    public Canary Get(Canary canary) => Kube.Get<Canary>(Ns, canary.Metadata.Name)!;

    /// <summary>Every Deployment reports all its replicas updated and available for its current generation.</summary>
    public void MarkDeploymentsReady()
    {
        foreach (var deployment in Kube.List<V1Deployment>())
        {
            var replicas = deployment.Spec?.Replicas ?? 1;
            var generation = deployment.Metadata.Generation ?? 1;
            if (deployment.Status is { } s && s.ObservedGeneration == generation && s.UpdatedReplicas == replicas && s.AvailableReplicas == replicas && s.Replicas == replicas)
            {
                continue;
            }

            var copy = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(deployment));
            copy.Metadata.Generation = generation;
            copy.Status = new V1DeploymentStatus { ObservedGeneration = generation, Replicas = replicas, UpdatedReplicas = replicas, AvailableReplicas = replicas };
            Kube.Seed(copy);
        }
    }

    public void Dispose() => _host.Dispose();

    private static void Decorate<T>(IServiceCollection services, Func<T, T> wrap) where T : class
    {
        var inner = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(inner);
        services.AddSingleton(sp => wrap((T)(inner.ImplementationInstance
            ?? inner.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!))));
    }

    /// <summary>How many target controllers, traffic routers and Service routers were created.</summary>
    internal sealed class CreationCounts
    {
        public int TargetControllers { get; set; }

        public int TrafficRouters { get; set; }

        public int ServiceRouters { get; set; }

        public void Reset() => (TargetControllers, TrafficRouters, ServiceRouters) = (0, 0, 0);

        public CreationCounts Snapshot() => new() { TargetControllers = TargetControllers, TrafficRouters = TrafficRouters, ServiceRouters = ServiceRouters };

        public override string ToString() => $"controller {TargetControllers}, traffic router {TrafficRouters}, service router {ServiceRouters}";
    }

    internal sealed class RecordingEvents : IEventRecorder
    {
        public List<(string Name, string Type, string Message)> Recorded { get; } = [];

        public Task RecordAsync(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message, CancellationToken cancellationToken)
        {
            Recorded.Add((involved.Metadata.Name, type, message));
            return Task.CompletedTask;
        }
    }

    private sealed class CountingTargetFactory(ITargetControllerFactory inner, CreationCounts counts) : ITargetControllerFactory
    {
        public ITargetController Create(Canary canary)
        {
            counts.TargetControllers++;
            return inner.Create(canary);
        }
    }

    private sealed class CountingRoutingFactory(IRoutingFactory inner, CreationCounts counts) : IRoutingFactory
    {
        public ITrafficRouter TrafficRouter(Canary canary)
        {
            counts.TrafficRouters++;
            return inner.TrafficRouter(canary);
        }

        public IServiceRouter ServiceRouter(Canary canary)
        {
            counts.ServiceRouters++;
            return inner.ServiceRouter(canary);
        }

        public string ProviderOf(Canary canary) => inner.ProviderOf(canary);
    }

    private sealed class PassingAnalyzer : ICanaryAnalyzer
    {
        public Task<CanaryAnalysisResult> AnalyzeAsync(Canary canary, CancellationToken cancellationToken) =>
            Task.FromResult(new CanaryAnalysisResult([]));

        public Task<MetricProvidersAvailability> CheckProvidersAsync(Canary canary, CancellationToken cancellationToken) =>
            Task.FromResult(new MetricProvidersAvailability(true, "all the metrics providers are available!"));
    }

    internal sealed class ScriptedWebhookRunner : IWebhookRunner
    {
        public Func<CanaryWebhook, CancellationToken, Task<WebhookOutcome>>? Behaviour { get; set; }

        public int Calls;

        public Task<WebhookOutcome> RunAsync(Canary canary, CanaryWebhook webhook, CanaryPhase phase, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Behaviour is { } behaviour ? behaviour(webhook, cancellationToken) : throw new InvalidOperationException("no webhooks in these tests");
        }
    }

    private sealed class NoEventWebhook : IEventWebhook
    {
        public Task<IReadOnlyList<WebhookOutcome>> PublishAsync(Canary canary, string eventType, string message, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<WebhookOutcome>>([]);
    }

    private sealed class NoAlerter : IAlerter
    {
        public Task<IReadOnlyList<AlertDelivery>> AlertAsync(Canary canary, string message, bool includeMetadata, AlertSeverity severity, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AlertDelivery>>([]);
    }
}
