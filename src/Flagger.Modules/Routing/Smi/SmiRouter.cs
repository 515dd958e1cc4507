using System.Text.Json;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Smi;

/// <summary>
/// SMI traffic shifting (upstream: pkg/router/smi.go, smi_v1alpha2.go, smi_v1alpha3.go): one TrafficSplit
/// <c>&lt;svc&gt;</c> whose <c>spec.service</c> is <c>service.hosts[0]</c> or the apex Service and whose backends are
/// <c>&lt;svc&gt;-canary</c> then <c>&lt;svc&gt;-primary</c>. Reconcile owns the shape and keeps the live weights;
/// SetRoutes owns the weights. For SMI on Istio (<c>smi:&lt;version&gt;:istio</c>) a new split carries the gateways
/// annotation Istio's SMI adapter reads. Unlike upstream, whose Finalize does nothing, a taken-over split is reverted.
/// </summary>
/// <typeparam name="TSplit">The TrafficSplit version.</typeparam>
/// <typeparam name="TBackend">That version's backend (quantity or integer weight).</typeparam>
internal abstract partial class SmiRouter<TSplit, TBackend>(
    RoutingObjectStore store, RouterObjects objects, IOptions<RoutingOptions> options, ILogger logger) : ITrafficRouter
    where TSplit : CustomObject<SmiTrafficSplitSpec<TBackend>>, new()
    where TBackend : class, ISmiBackend, new()
{
    /// <summary>The annotation Istio's SMI adapter copies into the VirtualService it generates (upstream: makeAnnotations).</summary>
    public const string IstioGatewaysAnnotation = "VirtualService.v1alpha3.networking.istio.io/spec.gateways";

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<TSplit>(ns, apex);
        var split = (existing is null ? null : ReadRoutes(existing.Spec, primary, canaryName)) ?? TrafficSplit.AllPrimary;
        var desired = new SmiTrafficSplitSpec<TBackend>
        {
            Service = service.Hosts is [var host, ..] ? host : apex,
            Backends = Backends(primary, canaryName, split),
            Extensions = existing?.Spec.Extensions,
        };

        // upstream: the gateways annotation is written when the split is created, never on update. A user's split that
        // Flagger takes over keeps its annotations, and its first change saves the user's spec for Finalize.
        var takenOver = existing is not null && CanaryController(existing.Metadata) is null;
        var annotations = existing is null
            ? Annotations(canary, service)
            : takenOver ? new Dictionary<string, string>(existing.Metadata.Annotations ?? new Dictionary<string, string>()) : null;
        var target = new DesiredObject<SmiTrafficSplitSpec<TBackend>>(ns, apex, desired, Annotations: annotations, RememberOriginal: takenOver);
        var outcome = await objects.CreateOrUpdateAsync(canary, existing, target, cancellationToken).ConfigureAwait(false);
        if (outcome == WriteOutcome.Created)
        {
            Log.Created(logger, apex, ns);
        }
        else if (outcome == WriteOutcome.Updated)
        {
            Log.Updated(logger, apex, ns);
        }
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"TrafficSplit {apex}.{ns}: weights must be between 0 and 100, got primary {split.PrimaryWeight} canary {split.CanaryWeight}");
        }

        var existing = store.Get<TSplit>(ns, apex)
            ?? throw new RoutingException($"TrafficSplit {apex}.{ns} not found: the routing must be reconciled before traffic is shifted");
        var clone = Clone(existing);
        clone.Spec.Backends = Backends(primary, canaryName, split);
        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, apex, ns, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<TSplit>(ns, apex)
            ?? throw new RoutingException($"TrafficSplit {apex}.{ns} get query error: not found");
        return Task.FromResult(ReadRoutes(existing.Spec, primary, canaryName)
            ?? throw new RoutingException($"TrafficSplit {apex}.{ns} does not contain routes for {primary} and {canaryName}"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (await objects.RestoreOriginalAsync<TSplit, SmiTrafficSplitSpec<TBackend>>(ns, apex, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            Log.Reverted(logger, apex, ns);
        }
    }

    /// <summary>
    /// The mesh behind the SMI API: <c>linkerd</c>, <c>osm</c>, or the third part of <c>smi:&lt;version&gt;:&lt;mesh&gt;</c>
    /// (upstream: pkg/router/factory.go, targetMesh).
    /// </summary>
    internal string TargetMesh(Canary canary)
    {
        var provider = canary.Spec.Provider is { Length: > 0 } p ? p : options.Value.MeshProvider;
        return provider.Split(':') is ["smi", _, var mesh] ? mesh : provider;
    }

    private Dictionary<string, string>? Annotations(Canary canary, CanaryService service) =>
        TargetMesh(canary) == "istio" && service.Gateways is { Count: > 0 } gateways
            ? new Dictionary<string, string> { [IstioGatewaysAnnotation] = JsonSerializer.Serialize(gateways) }
            : null;

    /// <summary>Canary first, primary second, as upstream writes them.</summary>
    private static List<TBackend> Backends(string primary, string canaryName, TrafficSplit split) =>
    [
        new() { Service = canaryName, Weight = split.CanaryWeight },
        new() { Service = primary, Weight = split.PrimaryWeight },
    ];

    /// <summary>The weights of the two backends; null when both are 0 or absent (upstream's "does not contain routes").</summary>
    private static TrafficSplit? ReadRoutes(SmiTrafficSplitSpec<TBackend> spec, string primary, string canaryName)
    {
        var primaryWeight = spec.Backends?.Where(b => b.Service == primary).Select(b => b.Weight).LastOrDefault() ?? 0;
        var canaryWeight = spec.Backends?.Where(b => b.Service == canaryName).Select(b => b.Weight).LastOrDefault() ?? 0;
        return primaryWeight == 0 && canaryWeight == 0 ? null : new TrafficSplit(primaryWeight, canaryWeight, false);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "TrafficSplit {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "TrafficSplit {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Debug, Message = "TrafficSplit {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "TrafficSplit {Name}.{Namespace} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string name, string @namespace);
    }
}

/// <summary><c>linkerd</c> and <c>smi:v1alpha1[:mesh]</c>: TrafficSplit <c>split.smi-spec.io/v1alpha1</c> (upstream: SmiRouter).</summary>
internal sealed class SmiV1Alpha1Router(RoutingObjectStore store, RouterObjects objects, IOptions<RoutingOptions> options, ILogger<SmiV1Alpha1Router> logger)
    : SmiRouter<SmiTrafficSplitV1Alpha1, SmiQuantityBackend>(store, objects, options, logger);

/// <summary><c>osm</c> and <c>smi:v1alpha2[:mesh]</c>: TrafficSplit <c>split.smi-spec.io/v1alpha2</c> (upstream: Smiv1alpha2Router).</summary>
internal sealed class SmiV1Alpha2Router(RoutingObjectStore store, RouterObjects objects, IOptions<RoutingOptions> options, ILogger<SmiV1Alpha2Router> logger)
    : SmiRouter<SmiTrafficSplitV1Alpha2, SmiBackend>(store, objects, options, logger);

/// <summary><c>smi:v1alpha3[:mesh]</c>: TrafficSplit <c>split.smi-spec.io/v1alpha3</c> (upstream: Smiv1alpha3Router).</summary>
internal sealed class SmiV1Alpha3Router(RoutingObjectStore store, RouterObjects objects, IOptions<RoutingOptions> options, ILogger<SmiV1Alpha3Router> logger)
    : SmiRouter<SmiTrafficSplitV1Alpha3, SmiBackend>(store, objects, options, logger);
