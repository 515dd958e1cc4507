using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.AppMesh.AppMeshConventions;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.AppMesh;

/// <summary>
/// App Mesh with the v1beta1 controller (upstream: pkg/router/appmesh.go, <c>appmesh</c>): VirtualNodes
/// <c>&lt;svc&gt;</c>, <c>&lt;svc&gt;-primary</c> and <c>&lt;svc&gt;-canary</c> in mesh <c>service.meshName</c> (DNS
/// <c>&lt;name&gt;.&lt;ns&gt;</c>, the apex node resolving to the primary), and the VirtualServices
/// <c>&lt;svc&gt;.&lt;ns&gt;</c> (virtual router <c>&lt;svc&gt;</c>: the split, or A/B routes) and
/// <c>&lt;svc&gt;-canary.&lt;ns&gt;</c> (router <c>&lt;svc&gt;-canary</c>: all to the canary), which carry their routes.
/// Reconcile runs before the primary exists (catalog) and keeps the live weights; SetRoutes owns them.
/// </summary>
internal sealed partial class AppMeshRouter(RoutingObjectStore store, RouterObjects objects, ILogger<AppMeshRouter> logger)
    : ITrafficRouter
{
    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        if (string.IsNullOrEmpty(service.MeshName))
        {
            throw new RoutingException($"Canary {Id(canary)}: mesh name cannot be empty (spec.service.meshName is required by provider appmesh)");
        }

        var ns = canary.Metadata.NamespaceProperty;
        var primaryHost = $"{primary}.{ns}";
        await ReconcileVirtualNodeAsync(canary, service, apex, primaryHost, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualNodeAsync(canary, service, primary, primaryHost, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualNodeAsync(canary, service, canaryName, $"{canaryName}.{ns}", cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualServiceAsync(canary, service, $"{apex}.{ns}", isCanaryRouter: false, cancellationToken).ConfigureAwait(false);
        await ReconcileVirtualServiceAsync(canary, service, $"{canaryName}.{ns}", isCanaryRouter: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        ValidateSplit(canary, split);
        var ns = canary.Metadata.NamespaceProperty;
        var name = $"{apex}.{ns}";
        var existing = store.Get<VirtualServiceV1Beta1>(ns, name)
            ?? throw new RoutingException($"VirtualService {name} get query error: not found (the routing must be reconciled before traffic is shifted)");
        if (existing.Spec.Routes is not [{ Http: not null }, ..])
        {
            throw new RoutingException($"VirtualService {name} has no HTTP route to shift traffic on");
        }

        var clone = Clone(existing);
        clone.Spec.Routes![0].Http!.Action = Action(primary, canaryName, split);
        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, name, ns, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var name = $"{apex}.{ns}";
        var vs = store.Get<VirtualServiceV1Beta1>(ns, name)
            ?? throw new RoutingException($"VirtualService {name} get query error: not found");
        if (vs.Spec.Routes is not [{ Http.Action.WeightedTargets: { Count: 2 } }, ..])
        {
            throw new RoutingException($"VirtualService routes {name} not found");
        }

        return Task.FromResult(LiveSplit(vs, primary, canaryName)
            ?? throw new RoutingException($"VirtualService {name} does not contain routes for {primary} and {canaryName}"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // Upstream leaves App Mesh objects alone; we also give a taken-over virtual service its original spec back.
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var name = $"{apex}.{ns}";
        if (await objects.RestoreOriginalAsync<VirtualServiceV1Beta1, VirtualServiceV1Beta1Spec>(ns, name, cancellationToken).ConfigureAwait(false)
            == WriteOutcome.Updated)
        {
            Log.Reverted(logger, VirtualServiceV1Beta1.KubeKind, name, ns);
        }
    }

    private async Task ReconcileVirtualNodeAsync(Canary canary, CanaryService service, string name, string host, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<VirtualNodeV1Beta1>(ns, name);
        var backends = (service.Backends ?? [])
            .Select(b => new AppMeshBackendV1Beta1 { VirtualService = new AppMeshVirtualServiceNameV1Beta1 { VirtualServiceName = b } })
            .ToList();
        var spec = new VirtualNodeV1Beta1Spec
        {
            MeshName = service.MeshName!,
            Extensions = existing?.Spec.Extensions,
            Listeners = [new AppMeshListenerV1Beta1 { PortMapping = PortMapping(service) }],
            ServiceDiscovery = new AppMeshServiceDiscoveryV1Beta1 { Dns = new AppMeshDnsV1Beta1 { HostName = host } },
            Backends = backends.Count > 0 ? backends : null,
            Logging = Logging(canary),
        };
        var desired = new DesiredObject<VirtualNodeV1Beta1Spec>(ns, name, spec, NodeLabels(service), NodeAnnotations(service));
        LogWrite(await objects.CreateOrUpdateAsync(canary, existing, desired, cancellationToken).ConfigureAwait(false), VirtualNodeV1Beta1.KubeKind, name, ns);
    }

    private async Task ReconcileVirtualServiceAsync(
        Canary canary, CanaryService service, string name, bool isCanaryRouter, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<VirtualServiceV1Beta1>(ns, name);
        var initial = isCanaryRouter ? TrafficSplit.AllCanary : TrafficSplit.AllPrimary;
        var split = (existing is null ? null : LiveSplit(existing, primary, canaryName)) ?? initial;
        var routerName = isCanaryRouter ? canaryName : apex;
        var prefix = RoutePrefix(service);
        var routes = !isCanaryRouter && IsAbTesting(canary)
            ?
            [
                new AppMeshRouteV1Beta1
                {
                    Name = apex + "-a",
                    Priority = HeaderRoutePriority,
                    Http = HttpRoute(service, new AppMeshHttpRouteMatch { Prefix = prefix, Headers = Headers(canary) }, Action(primary, canaryName, split)),
                },
                new AppMeshRouteV1Beta1
                {
                    Name = apex + "-b",
                    Priority = DefaultRoutePriority,
                    Http = HttpRoute(service, new AppMeshHttpRouteMatch { Prefix = prefix }, new AppMeshActionV1Beta1
                    {
                        WeightedTargets = [new AppMeshWeightedTargetV1Beta1 { VirtualNodeName = primary, Weight = 100 }],
                    }),
                },
            ]
            : new List<AppMeshRouteV1Beta1>
            {
                new() { Name = routerName, Http = HttpRoute(service, new AppMeshHttpRouteMatch { Prefix = prefix }, Action(primary, canaryName, split)) },
            };
        var spec = new VirtualServiceV1Beta1Spec
        {
            MeshName = service.MeshName!,
            Extensions = existing?.Spec.Extensions,
            VirtualRouter = new AppMeshVirtualRouterV1Beta1 { Name = routerName, Listeners = [new AppMeshRouterListener { PortMapping = PortMapping(service) }] },
            Routes = routes,
        };

        // The apex virtual service is the one an App Mesh Gateway exposes (service.hosts).
        var annotations = Unmanaged(existing?.Metadata, isCanaryRouter ? null : GatewayAnnotations(service));
        var desired = new DesiredObject<VirtualServiceV1Beta1Spec>(ns, name, spec, Annotations: annotations, RememberOriginal: true);
        LogWrite(await objects.CreateOrUpdateAsync(canary, existing, desired, cancellationToken).ConfigureAwait(false), VirtualServiceV1Beta1.KubeKind, name, ns);
    }

    private static AppMeshHttpRouteV1Beta1 HttpRoute(CanaryService service, AppMeshHttpRouteMatch match, AppMeshActionV1Beta1 action) => new()
    {
        Match = match,
        Action = action,
        RetryPolicy = Retries(service) is { } retries
            ? new AppMeshRetryPolicyV1Beta1
            {
                PerRetryTimeoutMillis = retries.PerTryTimeoutMs,
                MaxRetries = retries.MaxRetries,
                HttpRetryEvents = retries.Events,
            }
            : null,
    };

    private static AppMeshActionV1Beta1 Action(string primary, string canaryName, TrafficSplit split) => new()
    {
        WeightedTargets =
        [
            new AppMeshWeightedTargetV1Beta1 { VirtualNodeName = canaryName, Weight = split.CanaryWeight },
            new AppMeshWeightedTargetV1Beta1 { VirtualNodeName = primary, Weight = split.PrimaryWeight },
        ],
    };

    /// <summary>v1beta1 listens on <c>service.port</c> (v1beta2 prefers the target port).</summary>
    private static AppMeshPortMapping PortMapping(CanaryService service) => new() { Port = service.Port ?? 0, Protocol = Protocol(service) };

    private static TrafficSplit? LiveSplit(VirtualServiceV1Beta1 vs, string primary, string canaryName) =>
        vs.Spec.Routes is [{ Http: { } http }, ..]
            ? Split(http.Action.WeightedTargets.Select(t => ((string?)t.VirtualNodeName, t.Weight)), primary, canaryName, requireTwo: true)
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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string kind, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string kind, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Debug, Message = "VirtualService {Name} routes set in {Namespace}: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string kind, string name, string @namespace);
    }
}
