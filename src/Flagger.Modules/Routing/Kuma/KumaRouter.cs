using System.Globalization;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Kuma;

/// <summary>
/// Kuma traffic shifting (upstream: pkg/router/kuma.go): the cluster-scoped TrafficRoute <c>&lt;svc&gt;</c> routes every
/// source's requests for <c>&lt;svc&gt;_&lt;ns&gt;_svc_&lt;port&gt;</c> to the primary and canary services by weight. Being
/// cluster-scoped it carries no ownerReference (upstream); its mesh is the canary's <c>kuma.io/mesh</c> annotation or
/// <c>default</c>; labels and annotations come from <c>service.apex</c>. Reconcile keeps the live weights; unlike
/// upstream, Finalize reverts a taken-over route.
/// </summary>
internal sealed partial class KumaRouter(RoutingObjectStore store, RouterObjects objects, ILogger<KumaRouter> logger) : ITrafficRouter
{
    public const string MeshAnnotation = "kuma.io/mesh";
    public const string DefaultMesh = "default";
    private const string ServiceTag = "kuma.io/service";

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, _) = ServiceNames(canary);
        var service = RequireService(canary);
        var existing = store.Get<TrafficRoute>("", apex);
        var split = (existing is null ? null : ReadRoutes(existing.Spec, primary)) ?? TrafficSplit.AllPrimary;
        var desired = new TrafficRouteSpec
        {
            Sources = [new KumaSelector { Match = new() { [ServiceTag] = "*" } }],
            Destinations = [new KumaSelector { Match = new() { [ServiceTag] = KumaService(canary, service, apex) } }],
            Conf = Conf(canary, service, split, existing?.Spec.Conf),
            Extensions = existing?.Spec.Extensions,
        };
        var labels = service.Apex?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(service.Apex.Labels);
        var annotations = WithFluxDisabled(service.Apex?.Annotations);

        if (existing is null)
        {
            // cluster-scoped: no namespace and (upstream) no ownerReference, so deleting the canary leaves it in place
            await store.CreateAsync(new TrafficRoute
            {
                Metadata = new V1ObjectMeta { Name = apex, Labels = labels, Annotations = annotations },
                Mesh = canary.Metadata.Annotations?.TryGetValue(MeshAnnotation, out var mesh) == true ? mesh : DefaultMesh,
                Spec = desired,
            }, cancellationToken).ConfigureAwait(false);
            Log.Created(logger, apex);
            return;
        }

        // Routes carry no owner, so a route Flagger wrote is told from a user's by its split: only a route without the
        // primary's destination is taken over, and only then is the user's spec saved for Finalize.
        var target = new DesiredObject<TrafficRouteSpec>("", apex, desired, labels, annotations,
            RememberOriginal: ReadRoutes(existing.Spec, primary) is null);
        if (await objects.CreateOrUpdateAsync(canary, existing, target, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            Log.Updated(logger, apex);
        }
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        var service = RequireService(canary);
        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"TrafficRoute {apex}: weights must be between 0 and 100, got primary {split.PrimaryWeight} canary {split.CanaryWeight}");
        }

        var existing = store.Get<TrafficRoute>("", apex)
            ?? throw new RoutingException($"TrafficRoute {apex} not found: the routing must be reconciled before traffic is shifted");
        var clone = Clone(existing);
        clone.Spec.Conf = Conf(canary, service, split, existing.Spec.Conf);
        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, apex, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var existing = store.Get<TrafficRoute>("", apex)
            ?? throw new RoutingException($"TrafficRoute {apex} get query error: not found");
        return Task.FromResult(ReadRoutes(existing.Spec, primary)
            ?? throw new RoutingException($"TrafficRoute {apex} does not contain routes for {primary} and {canaryName}"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        if (await objects.RestoreOriginalAsync<TrafficRoute, TrafficRouteSpec>("", apex, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            Log.Reverted(logger, apex);
        }
    }

    /// <summary>Kuma's service tag of a Kubernetes Service port: <c>&lt;name&gt;_&lt;namespace&gt;_svc_&lt;port&gt;</c>.</summary>
    public static string KumaService(Canary canary, CanaryService service, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}_{canary.Metadata.NamespaceProperty}_svc_{service.Port}");

    /// <summary>Primary first, canary second (upstream), keeping the conf's other fields.</summary>
    private static TrafficRouteConf Conf(Canary canary, CanaryService service, TrafficSplit split, TrafficRouteConf? existing)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        return new TrafficRouteConf
        {
            Split =
            [
                new TrafficRouteSplit { Weight = split.PrimaryWeight, Destination = new() { [ServiceTag] = KumaService(canary, service, primary) } },
                new TrafficRouteSplit { Weight = split.CanaryWeight, Destination = new() { [ServiceTag] = KumaService(canary, service, canaryName) } },
            ],
            Extensions = existing?.Extensions,
        };
    }

    /// <summary>
    /// The primary's weight and the rest for the canary (upstream: the destination whose service tag starts with
    /// <c>&lt;svc&gt;-primary_</c>); null when there is no such destination.
    /// </summary>
    private static TrafficSplit? ReadRoutes(TrafficRouteSpec spec, string primary)
    {
        var entry = spec.Conf?.Split?.LastOrDefault(s => s.Destination?.GetValueOrDefault(ServiceTag)?.Split('_')[0] == primary);
        return entry is null ? null : new TrafficSplit(entry.Weight, 100 - entry.Weight, false);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "TrafficRoute {Name} created")]
        public static partial void Created(ILogger logger, string name);

        [LoggerMessage(Level = LogLevel.Information, Message = "TrafficRoute {Name} updated")]
        public static partial void Updated(ILogger logger, string name);

        [LoggerMessage(Level = LogLevel.Debug, Message = "TrafficRoute {Name} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "TrafficRoute {Name} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string name);
    }
}
