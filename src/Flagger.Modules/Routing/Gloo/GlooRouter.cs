using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Gloo;

/// <summary>
/// Gloo Edge traffic shifting (upstream: pkg/router/gloo.go): Upstreams <c>&lt;ns&gt;-&lt;svc&gt;-primaryupstream-&lt;port&gt;</c>
/// and <c>…-canaryupstream-&lt;port&gt;</c> pointing at the <c>-primary</c>/<c>-canary</c> Services (Flagger creates them
/// so that Gloo's discovery may be off; connection settings are copied from <c>spec.upstreamRef</c>), and the RouteTable
/// <c>&lt;svc&gt;</c> (delegated to from a Gloo VirtualService) whose one route splits traffic between them, matching
/// <c>analysis.match</c> headers and methods for A/B. Reconcile keeps the live weights.
/// </summary>
internal sealed partial class GlooRouter(RoutingObjectStore store, RouterObjects objects, ILogger<GlooRouter> logger) : ITrafficRouter
{
    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var config = ConfigUpstream(canary);
        await ReconcileUpstreamAsync(canary, service, primary, UpstreamName(canary, "primary"), config, "primary", cancellationToken).ConfigureAwait(false);
        await ReconcileUpstreamAsync(canary, service, canaryName, UpstreamName(canary, "canary"), config, "canary", cancellationToken).ConfigureAwait(false);

        var existing = store.Get<RouteTable>(ns, apex);
        var split = existing is null ? TrafficSplit.AllPrimary : ReadRoutes(canary, existing) ?? TrafficSplit.AllPrimary;
        var labels = service.Apex?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(service.Apex.Labels);
        var target = new DesiredObject<RouteTableSpec>(ns, apex, Spec(canary, split), labels, WithFluxDisabled(service.Apex?.Annotations), RememberOriginal: true);
        LogWrite(await objects.CreateOrUpdateAsync(canary, existing, target, cancellationToken).ConfigureAwait(false), RouteTable.KubeKind, apex, ns);
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (split.PrimaryWeight == 0 && split.CanaryWeight == 0)
        {
            // upstream's text names the kind "RoutingRule"
            throw new RoutingException($"RoutingRule {apex}.{ns} update failed: no valid weights");
        }

        var existing = store.Get<RouteTable>(ns, apex)
            ?? throw new RoutingException($"RouteTable {apex}.{ns} query error: not found (the routing must be reconciled before traffic is shifted)");
        var clone = Clone(existing);
        clone.Spec = Spec(canary, split);
        if (await store.ReplaceIfSpecChangedAsync(existing, clone, o => o.Spec, cancellationToken).ConfigureAwait(false))
        {
            Log.RoutesSet(logger, apex, ns, split.PrimaryWeight, split.CanaryWeight);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var table = store.Get<RouteTable>(ns, apex)
            ?? throw new RoutingException($"RouteTable {apex}.{ns} get query error: not found");
        return Task.FromResult(ReadRoutes(canary, table)
            ?? throw new RoutingException($"RouteTable {apex}.{ns} destinations not found"));
    }

    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        // Upstream's Finalize is a no-op; a taken-over RouteTable gets its user spec back, as every router here does.
        // The generated Upstreams are owned by the canary and go with it.
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        if (await objects.RestoreOriginalAsync<RouteTable, RouteTableSpec>(ns, apex, cancellationToken).ConfigureAwait(false) == WriteOutcome.Updated)
        {
            Log.Reverted(logger, apex, ns);
        }
    }

    /// <summary><c>&lt;ns&gt;-&lt;svc&gt;-&lt;role&gt;upstream-&lt;port&gt;</c> (upstream: Reconcile).</summary>
    public static string UpstreamName(Canary canary, string role) => string.Create(CultureInfo.InvariantCulture,
        $"{canary.Metadata.NamespaceProperty}-{ServiceNames(canary).Apex}-{role}upstream-{canary.Spec.Service?.Port}");

    /// <summary>
    /// Creates the Upstream of one generated Service; an existing one only follows the config Upstream's
    /// <c>loadBalancerConfig</c> (upstream: createFlaggerUpstream, syncUpstreamSpec).
    /// </summary>
    private async Task ReconcileUpstreamAsync(
        Canary canary, CanaryService service, string serviceName, string name, GlooUpstream? config, string role, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var svc = store.Get<V1Service>(ns, serviceName)
            ?? throw new RoutingException($"error creating flagger {role} upstream: service {serviceName}.{ns} get query error: not found");
        var existing = store.Get<GlooUpstream>(ns, name);
        if (existing is null)
        {
            var spec = CopyConfig(config?.Spec);
            spec.Kube = new GlooKubeUpstream
            {
                ServiceName = serviceName,
                ServiceNamespace = ns,
                ServicePort = service.Port,
                Selector = svc.Spec?.Selector is { Count: > 0 } selector ? new Dictionary<string, string>(selector) : null,
            };
            var desired = new DesiredObject<GlooUpstreamSpec>(ns, name, spec, Labels: spec.Labels is null ? null : new Dictionary<string, string>(spec.Labels));
            LogWrite(await objects.CreateOrUpdateAsync<GlooUpstream, GlooUpstreamSpec>(canary, null, desired, cancellationToken).ConfigureAwait(false), GlooUpstream.KubeKind, name, ns);
            return;
        }

        // Upstream merge-patches only the load balancer settings, and only when the config Upstream has some.
        if (config?.Spec.LoadBalancerConfig is { } lb && !SemanticEquals(lb, existing.Spec.LoadBalancerConfig))
        {
            var clone = Clone(existing);
            clone.Spec.LoadBalancerConfig = (JsonObject)lb.DeepClone();
            await store.ReplaceAsync(clone, cancellationToken).ConfigureAwait(false);
            Log.Updated(logger, GlooUpstream.KubeKind, name, ns);
        }
    }

    /// <summary>The connection settings Flagger copies from the config Upstream (upstream: getGlooUpstreamKubeService).</summary>
    private static GlooUpstreamSpec CopyConfig(GlooUpstreamSpec? config) => config is null
        ? new GlooUpstreamSpec()
        : new GlooUpstreamSpec
        {
            Labels = config.Labels is null ? null : new Dictionary<string, string>(config.Labels),
            SslConfig = (JsonObject?)config.SslConfig?.DeepClone(),
            CircuitBreakers = (JsonObject?)config.CircuitBreakers?.DeepClone(),
            ConnectionConfig = (JsonObject?)config.ConnectionConfig?.DeepClone(),
            LoadBalancerConfig = (JsonObject?)config.LoadBalancerConfig?.DeepClone(),
            UseHttp2 = config.UseHttp2 == true ? true : null,
            InitialStreamWindowSize = config.InitialStreamWindowSize is > 0 ? config.InitialStreamWindowSize : null,
            InitialConnectionWindowSize = config.InitialConnectionWindowSize is > 0 ? config.InitialConnectionWindowSize : null,
            HttpProxyHostname = string.IsNullOrEmpty(config.HttpProxyHostname) ? null : config.HttpProxyHostname,
        };

    /// <summary>The Upstream of <c>spec.upstreamRef</c> (namespace defaults to the canary's), or null without a ref.</summary>
    private GlooUpstream? ConfigUpstream(Canary canary)
    {
        if (canary.Spec.UpstreamRef is not { } reference)
        {
            return null;
        }

        var ns = string.IsNullOrEmpty(reference.Namespace) ? canary.Metadata.NamespaceProperty : reference.Namespace;
        return store.Get<GlooUpstream>(ns, reference.Name ?? "")
            ?? throw new RoutingException($"config upstream {reference.Name}.{ns} get query error: not found (spec.upstreamRef)");
    }

    /// <summary>The live split: the primary Upstream's weight, the rest to the canary (upstream: GetRoutes).</summary>
    private static TrafficSplit? ReadRoutes(Canary canary, RouteTable table)
    {
        var primaryUpstream = UpstreamName(canary, "primary");
        if (table.Spec.Routes is not [var first, ..] || first.RouteAction?.Multi?.Destinations is not { Count: >= 2 } destinations)
        {
            return null;
        }

        return destinations.FirstOrDefault(d => d.Destination.Upstream.Name == primaryUpstream) is { } p
            ? new TrafficSplit((int)(p.Weight ?? 0), 100 - (int)(p.Weight ?? 0), false)
            : null;
    }

    private static RouteTableSpec Spec(Canary canary, TrafficSplit split)
    {
        var ns = canary.Metadata.NamespaceProperty;
        return new RouteTableSpec
        {
            Routes =
            [
                new GlooRoute
                {
                    Matchers = Matchers(canary),
                    RouteAction = new GlooRouteAction
                    {
                        Multi = new GlooMultiDestination
                        {
                            Destinations =
                            [
                                Destination(UpstreamName(canary, "primary"), ns, split.PrimaryWeight),
                                Destination(UpstreamName(canary, "canary"), ns, split.CanaryWeight),
                            ],
                        },
                    },
                    InheritablePathMatchers = true,
                },
            ],
        };
    }

    private static GlooWeightedDestination Destination(string upstream, string ns, int weight) => new()
    {
        Destination = new GlooDestination { Upstream = new GlooResourceRef { Name = upstream, Namespace = ns } },
        Weight = weight == 0 ? null : weight,
    };

    /// <summary>
    /// One matcher with the headers of every <c>analysis.match</c> (exact, or regex) and their methods; null without
    /// either (upstream: getMatchers). With matchers, requests that do not match are not routed by this table at all.
    /// </summary>
    private static List<GlooMatcher>? Matchers(Canary canary)
    {
        var match = canary.Spec.Analysis?.Match ?? [];
        var headers = new List<GlooHeaderMatcher>();
        var methods = new List<string>();
        foreach (var m in match)
        {
            foreach (var (name, value) in m.Headers ?? [])
            {
                headers.Add(string.IsNullOrEmpty(value?.Regex)
                    ? new GlooHeaderMatcher { Name = name, Value = string.IsNullOrEmpty(value?.Exact) ? null : value.Exact }
                    : new GlooHeaderMatcher { Name = name, Value = value.Regex, Regex = true });
            }

            if (m.Method is { } method)
            {
                methods.Add(method.Exact ?? "");
            }
        }

        return headers.Count == 0 && methods.Count == 0
            ? null
            : [new GlooMatcher { Headers = headers.Count == 0 ? null : headers, Methods = methods.Count == 0 ? null : methods }];
    }

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

        [LoggerMessage(Level = LogLevel.Debug, Message = "RouteTable {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);

        [LoggerMessage(Level = LogLevel.Information, Message = "RouteTable {Name}.{Namespace} reverted to its original configuration")]
        public static partial void Reverted(ILogger logger, string name, string @namespace);
    }
}
