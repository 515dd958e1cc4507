using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.AppMesh.AppMeshConventions;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.AppMesh;

/// <summary>
/// App Mesh with the v1beta2 controller (upstream: pkg/router/appmesh_v1beta2.go, <c>appmesh:v1beta2</c>): VirtualNodes
/// <c>&lt;svc&gt;-primary</c> and <c>&lt;svc&gt;-canary</c> (pods selected by the target's selector label, DNS
/// <c>&lt;name&gt;.&lt;ns&gt;.svc.cluster.local.</c>), VirtualRouters <c>&lt;svc&gt;</c> (the split, or A/B routes) and
/// <c>&lt;svc&gt;-canary</c> (all to the canary), and a VirtualService of the same name on each router. Reconcile runs
/// before the primary exists (catalog: routes before primary) and keeps the live weights; SetRoutes owns them.
/// </summary>
internal sealed partial class AppMeshV1Beta2Router(RoutingObjectStore store, RouterObjects objects, ILogger<AppMeshV1Beta2Router> logger)
    : ITrafficRouter
{
    /// <summary>DNS suffix of the virtual nodes' service discovery host names.</summary>
    private const string ServiceDomain = "svc.cluster.local.";

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var target = canary.Spec.TargetRef?.Name ?? apex;
        var podLabel = PodLabel(canary, canaryName);

        await ReconcileVirtualNodeAsync(canary, service, primary, podLabel, target + "-primary", cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualNodeAsync(canary, service, canaryName, podLabel, target, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualRouterAsync(canary, service, apex, isCanaryRouter: false, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualServiceAsync(canary, service, apex, isCanaryRouter: false, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualRouterAsync(canary, service, canaryName, isCanaryRouter: true, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualServiceAsync(canary, service, canaryName, isCanaryRouter: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        ValidateSplit(canary, split);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<VirtualRouterV1Beta2>(ns, apex)
            ?? throw new RoutingException($"VirtualRouter {apex}.{ns} get query error: not found (the routing must be reconciled before traffic is shifted)");
        if (existing.Spec.Routes is not [{ HttpRoute: not null }, ..])
        {
            throw new RoutingException($"VirtualRouter {apex}.{ns} has no HTTP route to shift traffic on");
        }

        var clone = Clone(existing);
        clone.Spec.Routes![0].HttpRoute!.Action = Action(primary, canaryName, split);
        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, apex, ns, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var router = store.Get<VirtualRouterV1Beta2>(ns, apex)
            ?? throw new RoutingException($"VirtualRouter {apex}.{ns} get query error: not found");
        if (router.Spec.Routes is not [{ HttpRoute.Action.WeightedTargets: { Count: 2 } }, ..])
        {
            throw new RoutingException($"VirtualRouter routes {apex} not found");
        }

        return Task.FromResult(LiveSplit(router, primary, canaryName)
            ?? throw new RoutingException($"VirtualRouter {apex} does not contain routes for {primary} and {canaryName}"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // Upstream leaves App Mesh objects alone; we also give a taken-over router and service their original spec back.
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        LogRevert(await objects.RestoreOriginalAsync<VirtualRouterV1Beta2, VirtualRouterV1Beta2Spec>(ns, apex, cancellationToken).ConfigureAwait(false),
            VirtualRouterV1Beta2.KubeKind, apex, ns);
        LogRevert(await objects.RestoreOriginalAsync<VirtualServiceV1Beta2, VirtualServiceV1Beta2Spec>(ns, apex, cancellationToken).ConfigureAwait(false),
            VirtualServiceV1Beta2.KubeKind, apex, ns);
    }

    /// <summary>
    /// The pod label the virtual nodes select on: the target's selector label, as the canary Service (created from the
    /// target before the mesh routes) selects with it.
    /// </summary>
    // upstream: the router factory passes the label found by GetMetadata; here the canary Service carries it.
    private string PodLabel(Canary canary, string canaryService)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var service = store.Get<V1Service>(ns, canaryService)
            ?? throw new RoutingException($"Service {canaryService}.{ns} not found: the App Mesh virtual nodes select pods with its selector label, " +
                "so the canary Service must exist before the mesh routes");
        return service.Spec?.Selector is { Count: 1 } selector
            ? selector.Keys.Single()
            : throw new RoutingException($"Service {canaryService}.{ns} must select pods with exactly one label (the target's selector label)");
    }

    private async Task ReconcileVirtualNodeAsync(
        Canary canary, CanaryService service, string name, string podLabel, string podValue, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<VirtualNodeV1Beta2>(ns, name);
        var timeoutMs = TimeoutMs(service);
        var backends = (service.Backends ?? [])
            .Select(b => new AppMeshBackend
            {
                VirtualService = b.StartsWith("arn:aws", StringComparison.Ordinal)
                    ? new AppMeshVirtualServiceBackend { VirtualServiceArn = b }
                    : new AppMeshVirtualServiceBackend { VirtualServiceRef = new AppMeshObjectReference { Name = b } },
            })
            .ToList();
        var spec = new VirtualNodeV1Beta2Spec
        {
            AwsName = existing?.Spec.AwsName,
            MeshRef = existing?.Spec.MeshRef,
            Extensions = existing?.Spec.Extensions,
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [podLabel] = podValue } },
            Listeners =
            [
                new AppMeshListener
                {
                    PortMapping = new AppMeshPortMapping { Port = ContainerPort(service), Protocol = Protocol(service) },
                    Timeout = timeoutMs is { } ms ? new AppMeshListenerTimeout { Http = PerRequest(ms) } : null,
                },
            ],
            ServiceDiscovery = new AppMeshServiceDiscovery { Dns = new AppMeshDns { Hostname = $"{name}.{ns}.{ServiceDomain}" } },
            Backends = backends.Count > 0 ? backends : null,
            Logging = Logging(canary),
        };
        var desired = new DesiredObject<VirtualNodeV1Beta2Spec>(ns, name, spec, NodeLabels(service), NodeAnnotations(service));
        LogWrite(await objects.CreateOrUpdateAsync(canary, existing, desired, cancellationToken).ConfigureAwait(false), VirtualNodeV1Beta2.KubeKind, name, ns);
    }

    private async Task ReconcileVirtualRouterAsync(
        Canary canary, CanaryService service, string name, bool isCanaryRouter, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<VirtualRouterV1Beta2>(ns, name);
        var initial = isCanaryRouter ? TrafficSplit.AllCanary : TrafficSplit.AllPrimary;
        var split = (existing is null ? null : LiveSplit(existing, primary, canaryName)) ?? initial;
        var prefix = RoutePrefix(service);
        var routes = !isCanaryRouter && IsAbTesting(canary)
            ?
            [
                new AppMeshRouteV1Beta2
                {
                    Name = apex + "-a",
                    Priority = HeaderRoutePriority,
                    HttpRoute = HttpRoute(service, new AppMeshHttpRouteMatch { Prefix = prefix, Headers = Headers(canary) }, Action(primary, canaryName, split)),
                },
                new AppMeshRouteV1Beta2
                {
                    Name = apex + "-b",
                    Priority = DefaultRoutePriority,
                    HttpRoute = HttpRoute(service, new AppMeshHttpRouteMatch { Prefix = prefix }, new AppMeshActionV1Beta2
                    {
                        WeightedTargets = [Target(primary, 100)],
                    }),
                },
            ]
            : new List<AppMeshRouteV1Beta2>
            {
                new()
                {
                    Name = isCanaryRouter ? canaryName : apex,
                    HttpRoute = HttpRoute(service, new AppMeshHttpRouteMatch { Prefix = prefix }, Action(primary, canaryName, split)),
                },
            };
        var spec = new VirtualRouterV1Beta2Spec
        {
            AwsName = existing?.Spec.AwsName,
            MeshRef = existing?.Spec.MeshRef,
            Extensions = existing?.Spec.Extensions,
            Listeners = [new AppMeshRouterListener { PortMapping = new AppMeshPortMapping { Port = ContainerPort(service), Protocol = Protocol(service) } }],
            Routes = routes,
        };
        var desired = new DesiredObject<VirtualRouterV1Beta2Spec>(ns, name, spec, Annotations: Unmanaged(existing?.Metadata), RememberOriginal: true);
        LogWrite(await objects.CreateOrUpdateAsync(canary, existing, desired, cancellationToken).ConfigureAwait(false), VirtualRouterV1Beta2.KubeKind, name, ns);
    }

    private async Task ReconcileVirtualServiceAsync(
        Canary canary, CanaryService service, string name, bool isCanaryRouter, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<VirtualServiceV1Beta2>(ns, name);
        var spec = new VirtualServiceV1Beta2Spec
        {
            AwsName = existing?.Spec.AwsName,
            MeshRef = existing?.Spec.MeshRef,
            Extensions = existing?.Spec.Extensions,
            Provider = new AppMeshServiceProvider
            {
                VirtualRouter = new AppMeshRouterProvider { VirtualRouterRef = new AppMeshObjectReference { Name = name } },
            },
        };

        // The apex virtual service is the one an App Mesh Gateway exposes (service.hosts).
        var annotations = Unmanaged(existing?.Metadata, isCanaryRouter ? null : GatewayAnnotations(service));
        var desired = new DesiredObject<VirtualServiceV1Beta2Spec>(ns, name, spec, Annotations: annotations, RememberOriginal: true);
        LogWrite(await objects.CreateOrUpdateAsync(canary, existing, desired, cancellationToken).ConfigureAwait(false), VirtualServiceV1Beta2.KubeKind, name, ns);
    }

    private static AppMeshHttpRouteV1Beta2 HttpRoute(CanaryService service, AppMeshHttpRouteMatch match, AppMeshActionV1Beta2 action) => new()
    {
        Match = match,
        Action = action,
        Timeout = TimeoutMs(service) is { } ms ? PerRequest(ms) : null,
        RetryPolicy = Retries(service) is { } retries
            ? new AppMeshRetryPolicyV1Beta2
            {
                PerRetryTimeout = new AppMeshDuration { Unit = "ms", Value = retries.PerTryTimeoutMs },
                MaxRetries = retries.MaxRetries,
                HttpRetryEvents = retries.Events,
            }
            : null,
    };

    private static AppMeshActionV1Beta2 Action(string primary, string canaryName, TrafficSplit split) => new()
    {
        WeightedTargets = [Target(canaryName, split.CanaryWeight), Target(primary, split.PrimaryWeight)],
    };

    private static AppMeshWeightedTargetV1Beta2 Target(string node, long weight) =>
        new() { VirtualNodeRef = new AppMeshObjectReference { Name = node }, Weight = weight };

    private static AppMeshHttpTimeout PerRequest(long ms) => new() { PerRequest = new AppMeshDuration { Unit = "ms", Value = ms } };

    /// <summary>The listener port: <c>service.targetPort</c> when it is a number, else <c>service.port</c>.</summary>
    private static long ContainerPort(CanaryService service) =>
        int.TryParse(service.TargetPort?.Value, out var targetPort) && targetPort > 0 ? targetPort : service.Port ?? 0;

    private static TrafficSplit? LiveSplit(VirtualRouterV1Beta2 router, string primary, string canaryName) =>
        router.Spec.Routes is [{ HttpRoute: { } http }, ..]
            ? Split(http.Action.WeightedTargets.Select(t => (t.VirtualNodeRef?.Name, t.Weight)), primary, canaryName, requireTwo: true)
            : null;

    private void LogWrite(WriteOutcome outcome, string kind, string name, string ns)
    {
        if (outcome == WriteOutcome.Created)
        {
            Log.Created(logger, kind, name, ns);
        }
        else if (outcome == WriteOutcome.Updated)
        {
            Log.Updated(logger, kind, name, ns);
        }
    }

    private void LogRevert(WriteOutcome outcome, string kind, string name, string ns)
    {
        if (outcome == WriteOutcome.Updated)
        {
            Log.Reverted(logger, kind, name, ns);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string kind, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string kind, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Debug, Message = "VirtualRouter {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string kind, string name, string @namespace);
    }
}
