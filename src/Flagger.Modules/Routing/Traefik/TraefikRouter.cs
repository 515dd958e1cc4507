using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Traefik;

/// <summary>
/// Traefik traffic shifting (upstream: pkg/router/traefik.go): the TraefikService <c>&lt;svc&gt;</c> whose
/// <c>weighted.services</c> split requests between <c>&lt;svc&gt;-primary</c> and <c>&lt;svc&gt;-canary</c> (the canary
/// entry only while its weight is above 0). The user's IngressRoute targets this TraefikService. Reconcile owns the
/// shape and the apex metadata and keeps the live weights; SetRoutes owns the weights.
/// </summary>
internal sealed partial class TraefikRouter(RoutingObjectStore store, RouterObjects objects, ILogger<TraefikRouter> logger)
    : ITrafficRouter
{
    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<TraefikService>(ns, apex);

        // upstream keeps a canary entry that is there (a run in progress); we also keep both live weights.
        var entries = existing?.Spec.Weighted?.Services ?? [];
        var canaryEntry = entries.FirstOrDefault(s => s.Name == canaryName);
        var split = new TrafficSplit(entries.FirstOrDefault(s => s.Name == primary)?.Weight ?? 100, canaryEntry?.Weight ?? 0, false);
        var withCanary = canaryEntry is not null;
        var desired = Spec(ns, service.Port!.Value, primary, canaryName, split, withCanary, existing?.Spec);

        var labels = service.Apex?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(service.Apex.Labels);
        var target = new DesiredObject<TraefikServiceSpec>(ns, apex, desired, labels, WithFluxDisabled(service.Apex?.Annotations), RememberOriginal: true);
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
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (split.PrimaryWeight == 0 && split.CanaryWeight == 0)
        {
            // upstream's text
            throw new RoutingException($"RoutingRule {apex}.{ns} update failed: no valid weights");
        }

        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"Canary {Id(canary)}: weights must be between 0 and 100 (primary {split.PrimaryWeight}, canary {split.CanaryWeight})");
        }

        var existing = store.Get<TraefikService>(ns, apex)
            ?? throw new RoutingException($"TraefikService {apex}.{ns} query error: not found (the routing must be reconciled before traffic is shifted)");
        var clone = Clone(existing);
        clone.Spec = Spec(ns, service.Port!.Value, primary, canaryName, split, withCanary: false, existing.Spec);
        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, apex, ns, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<TraefikService>(ns, apex)
            ?? throw new RoutingException($"TraefikService {apex}.{ns} query error: not found");
        return Task.FromResult(ReadSplit(existing, primary)
            ?? throw new RoutingException($"TraefikService {apex}.{ns} services not found: no weighted service {primary}"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // upstream: Finalize is a no-op (the owned TraefikService is garbage collected); a taken-over one gets its spec back.
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (await objects.RestoreOriginalAsync<TraefikService, TraefikServiceSpec>(ns, apex, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            Log.Reverted(logger, apex, ns);
        }
    }

    /// <summary>
    /// <c>weighted.services</c>: the primary, then the canary when its weight is above 0 (or <paramref name="withCanary"/>,
    /// the entry Reconcile keeps during a run). Other <c>weighted</c> fields (sticky, healthCheck) are kept.
    /// </summary>
    private static TraefikServiceSpec Spec(
        string ns, int port, string primary, string canaryName, TrafficSplit split, bool withCanary, TraefikServiceSpec? existing)
    {
        var services = new List<TraefikWeightedService> { Entry(primary, ns, port, split.PrimaryWeight) };
        if (split.CanaryWeight > 0 || withCanary)
        {
            services.Add(Entry(canaryName, ns, port, split.CanaryWeight));
        }

        return new TraefikServiceSpec { Weighted = new TraefikWeighted { Services = services, Extensions = existing?.Weighted?.Extensions } };
    }

    private static TraefikWeightedService Entry(string name, string ns, int port, int weight) =>
        new() { Name = name, Namespace = ns, Port = (IntOrString)port, Weight = weight };

    /// <summary>The primary's weight and the rest for the canary (upstream: GetRoutes), or null without a primary entry.</summary>
    private static TrafficSplit? ReadSplit(TraefikService traefikService, string primary) =>
        traefikService.Spec.Weighted?.Services?.FirstOrDefault(s => s.Name == primary) is { } entry
            ? new TrafficSplit(entry.Weight ?? 0, 100 - (entry.Weight ?? 0), false)
            : null;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "TraefikService {Name}.{Namespace} created")]
        public static partial void Created(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Information, Message = "TraefikService {Name}.{Namespace} updated")]
        public static partial void Updated(ILogger logger, string name, string @namespace);

        [LoggerMessage(Level = LogLevel.Debug, Message = "TraefikService {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "TraefikService {Name}.{Namespace} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string name, string @namespace);
    }
}
