using System.Text.Json;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Skipper;

/// <summary>
/// Skipper traffic shifting (upstream: pkg/router/skipper.go): the canary Ingress <c>&lt;ingressRef&gt;-canary</c> is a
/// copy of the user's Ingress where each path to <c>&lt;svc&gt;</c> goes to <c>&lt;svc&gt;-primary</c> and a duplicate
/// path to <c>&lt;svc&gt;-canary</c>; <c>zalando.org/backend-weights</c> splits between them and the predicate
/// <c>Weight(100)</c> makes its routes win over the user's. At canary weight 0 the predicate starts with <c>False()</c>,
/// which disables the canary Ingress's routes, so traffic flows through the user's Ingress (never modified) again.
/// Finalize deletes the canary Ingress.
/// </summary>
internal sealed partial class SkipperRouter(RoutingObjectStore store, RouterObjects objects, IKubeWriter writer, ILogger<SkipperRouter> logger)
    : ITrafficRouter
{
    public const string PredicateAnnotation = "zalando.org/skipper-predicate";
    public const string BackendWeightsAnnotation = "zalando.org/backend-weights";
    private const string RouteWeight = "Weight(100)";
    private const string RouteDisabled = "False()";

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var (apex, primary, canaryService) = ServiceNames(canary);
        var ingressName = IngressName(canary);
        var user = store.Get<V1Ingress>(ns, ingressName)
            ?? throw new RoutingException($"apexIngress {ingressName}.{ns} get query error: not found (spec.ingressRef.name)");

        // upstream: each path to the apex Service flips to the primary, and a copy of it to the canary is appended
        var spec = Clone(user.Spec ?? new V1IngressSpec());
        var backendExists = false;
        foreach (var rule in spec.Rules ?? [])
        {
            var paths = rule.Http?.Paths;
            if (paths is null)
            {
                continue;
            }

            foreach (var path in paths.ToList())
            {
                if (path.Backend?.Service?.Name == apex)
                {
                    path.Backend.Service.Name = primary;
                    var canaryPath = Clone(path);
                    canaryPath.Backend.Service.Name = canaryService;
                    paths.Add(canaryPath);
                    backendExists = true;
                }
            }
        }

        // (Upstream compares two pointers here and never reports it; the missing backend is a spec error.)
        if (!backendExists)
        {
            throw new RoutingException($"backend {apex} not found in ingress {ingressName} " +
                $"(spec.ingressRef.name: the Ingress needs a path whose backend is the Service {apex})");
        }

        var name = CanaryIngressName(canary);
        var existing = store.Get<V1Ingress>(ns, name);
        Dictionary<string, string>? annotations = null;
        if (existing is null)
        {
            annotations = WithFluxDisabled((user.Metadata.Annotations ?? new Dictionary<string, string>())
                .Where(kv => kv.Key is not (KubectlAnnotation or OriginalConfigurationAnnotation))
                .ToDictionary(kv => kv.Key, kv => kv.Value));
            // upstream: created with Weight(100) and all traffic to the primary; the first SetRoutes adds False().
            SetWeights(annotations, canary, TrafficSplit.AllPrimary, disableAtZero: false);
        }

        // Annotations are written on creation only: afterwards they carry the live weights (upstream resets them on a
        // spec change; we keep them).
        var desired = new DesiredObject<V1IngressSpec>(ns, name, spec,
            existing is null ? new Dictionary<string, string>(user.Metadata.Labels ?? new Dictionary<string, string>()) : null,
            annotations);
        var outcome = await objects.CreateOrUpdateAsync(canary, existing, desired, cancellationToken).ConfigureAwait(false);
        if (outcome is WriteOutcome.Created or WriteOutcome.Updated)
        {
            Log.IngressWritten(logger, name, ns, outcome == WriteOutcome.Created ? "created" : "updated");
        }
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var name = CanaryIngressName(canary);
        var existing = store.Get<V1Ingress>(ns, name)
            ?? throw new RoutingException($"ingress {name}.{ns} get query error: not found: the routing must be reconciled before traffic is shifted");
        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"Canary {Id(canary)}: weights must be between 0 and 100 (primary {split.PrimaryWeight}, canary {split.CanaryWeight})");
        }

        var annotations = WithFluxDisabled(existing.Metadata.Annotations);
        SetWeights(annotations, canary, split, disableAtZero: true);
        if (MapEquals(annotations, existing.Metadata.Annotations))
        {
            return;
        }

        var clone = Clone(existing);
        clone.Metadata.Annotations = annotations;
        await store.ReplaceAsync(clone, cancellationToken).ConfigureAwait(false);
        Log.RoutesSet(logger, name, ns, split.PrimaryWeight, split.CanaryWeight);
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var (_, primary, canaryService) = ServiceNames(canary);
        var name = CanaryIngressName(canary);
        var existing = store.Get<V1Ingress>(ns, name)
            ?? throw new RoutingException($"ingress {name}.{ns} get query error: not found");
        if (existing.Metadata.Annotations?.TryGetValue(BackendWeightsAnnotation, out var json) != true)
        {
            throw new RoutingException($"ingress {name}.{ns} get backendWeights error: annotation {BackendWeightsAnnotation} not found");
        }

        Dictionary<string, int>? weights;
        try
        {
            weights = JsonSerializer.Deserialize<Dictionary<string, int>>(json!);
        }
        catch (JsonException e)
        {
            throw new RoutingException($"ingress {name}.{ns} get backendWeights error: {e.Message}", e);
        }

        if (weights is null || !weights.TryGetValue(primary, out var primaryWeight))
        {
            throw new RoutingException($"ingress {name}.{ns} could not get weights[{primary}]");
        }

        if (!weights.TryGetValue(canaryService, out var canaryWeight))
        {
            throw new RoutingException($"ingress {name}.{ns} could not get weights[{canaryService}]");
        }

        return Task.FromResult(new TrafficSplit(primaryWeight, canaryWeight, false));
    }

    /// <summary>Deletes the canary Ingress (upstream deletes it with a 2s grace period; Ingresses have no pods, so none is needed).</summary>
    public async Task FinalizeAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var name = CanaryIngressName(canary);
        if (store.Get<V1Ingress>(ns, name) is null)
        {
            return;
        }

        try
        {
            await writer.DeleteAsync<V1Ingress>(ns, name, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return;
        }

        Log.IngressWritten(logger, name, ns, "deleted");
    }

    /// <summary>
    /// Backend weights and predicate of a split (upstream: makeAnnotations, insertPredicate): <c>Weight(100)</c> first,
    /// or (from SetRoutes) <c>False()</c> first when the canary gets nothing; other predicates of the user are kept after it.
    /// </summary>
    private static void SetWeights(Dictionary<string, string> annotations, Canary canary, TrafficSplit split, bool disableAtZero)
    {
        var (_, primary, canaryService) = ServiceNames(canary);
        annotations[BackendWeightsAnnotation] = JsonSerializer.Serialize(new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            [primary] = split.PrimaryWeight,
            [canaryService] = split.CanaryWeight,
        });
        annotations.TryGetValue(PredicateAnnotation, out var predicate);
        annotations[PredicateAnnotation] = InsertPredicate(predicate, disableAtZero && split.CanaryWeight == 0 ? RouteDisabled : RouteWeight);
    }

    /// <summary><paramref name="first"/> followed by the other predicates of <paramref name="raw"/> (without Weight(100) and False()).</summary>
    internal static string InsertPredicate(string? raw, string first) =>
        string.Join(" && ", new[] { first }.Concat((raw ?? "").Split("&&").Select(p => p.Trim())
            .Where(p => p.Length > 0 && p is not (RouteWeight or RouteDisabled))));

    private static string IngressName(Canary canary) =>
        canary.Spec.IngressRef?.Name is { Length: > 0 } name
            ? name
            : throw new RoutingException($"Canary {Id(canary)}: ingress selector is empty (spec.ingressRef.name is required with provider skipper)");

    private static string CanaryIngressName(Canary canary) => IngressName(canary) + "-canary";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Ingress {Name}.{Namespace} {Outcome}")]
        public static partial void IngressWritten(ILogger logger, string name, string @namespace, string outcome);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Ingress {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);
    }
}
