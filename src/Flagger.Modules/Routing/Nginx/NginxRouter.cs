using System.Globalization;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Nginx;

/// <summary>
/// NGINX ingress traffic shifting (upstream: pkg/router/ingress.go): the canary Ingress <c>&lt;ingressRef&gt;-canary</c>
/// is a copy of the user's Ingress whose backends <c>&lt;svc&gt;</c> point at <c>&lt;svc&gt;-canary</c>; NGINX's canary
/// annotations (prefix <c>-ingress-annotations-prefix</c>) decide which requests it takes: <c>canary-weight</c> per cent,
/// or the requests matching <c>canary-by-header</c>/<c>canary-by-cookie</c> for A/B testing. The user's Ingress is never
/// modified. Reconcile owns the canary Ingress's spec; SetRoutes owns its annotations.
/// </summary>
internal sealed partial class NginxRouter(RoutingObjectStore store, RouterObjects objects, IOptions<RoutingOptions> options, ILogger<NginxRouter> logger)
    : ITrafficRouter
{
    private const string CookieHeader = "cookie";

    private string Prefix => options.Value.IngressAnnotationsPrefix;

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var ns = canary.Metadata.NamespaceProperty;
        var (apex, _, canaryService) = ServiceNames(canary);
        var ingressName = IngressName(canary);
        var user = store.Get<V1Ingress>(ns, ingressName)
            ?? throw new RoutingException($"ingress {ingressName}.{ns} get query error: not found (spec.ingressRef.name)");

        // upstream: every path whose backend is the apex Service goes to the canary Service instead
        var spec = Clone(user.Spec ?? new V1IngressSpec());
        var backendExists = false;
        foreach (var path in (spec.Rules ?? []).SelectMany(r => r.Http?.Paths ?? []))
        {
            if (path.Backend?.Service?.Name == apex)
            {
                path.Backend.Service.Name = canaryService;
                backendExists = true;
            }
        }

        if (!backendExists)
        {
            throw new RoutingException($"backend {apex} not found in ingress {ingressName} " +
                $"(spec.ingressRef.name: the Ingress needs a path whose backend is the Service {apex})");
        }

        var name = CanaryIngressName(canary);
        var existing = store.Get<V1Ingress>(ns, name);

        // Labels and annotations are written on creation only: afterwards the annotations carry the live routing.
        var desired = new DesiredObject<V1IngressSpec>(ns, name, spec,
            existing is null ? new Dictionary<string, string>(user.Metadata.Labels ?? new Dictionary<string, string>()) : null,
            existing is null ? CanaryAnnotations(user.Metadata.Annotations) : null);
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
        if (split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"Canary {Id(canary)}: canary weight {split.CanaryWeight} is not between 0 and 100");
        }

        var annotations = new Dictionary<string, string>(existing.Metadata.Annotations ?? new Dictionary<string, string>());
        if (canary.Spec.Analysis?.Match is { Count: > 0 } match)
        {
            annotations = HeaderAnnotations(annotations, match);
        }
        else
        {
            annotations[Key("canary-weight")] = split.CanaryWeight.ToString(CultureInfo.InvariantCulture);
        }

        if (split.CanaryWeight > 0)
        {
            annotations[Key("canary")] = "true";
        }
        else
        {
            // No canary traffic: back to the initial annotations (A/B matches removed, weight 0).
            annotations = CanaryAnnotations(annotations);
        }

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
        var name = CanaryIngressName(canary);
        var existing = store.Get<V1Ingress>(ns, name)
            ?? throw new RoutingException($"ingress {name}.{ns} get query error: not found");
        var annotations = existing.Metadata.Annotations ?? new Dictionary<string, string>();

        // A/B: while a header or cookie match is set, the matching requests all go to the canary.
        if (canary.Spec.Analysis?.Match is { Count: > 0 }
            && (annotations.ContainsKey(Key("canary-by-cookie")) || annotations.ContainsKey(Key("canary-by-header"))))
        {
            return Task.FromResult(TrafficSplit.AllCanary);
        }

        var canaryWeight = 0;
        if (annotations.TryGetValue(Key("canary-weight"), out var text)
            && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out canaryWeight))
        {
            throw new RoutingException($"ingress {name}.{ns}: failed to convert {text} to int (annotation {Key("canary-weight")})");
        }

        return Task.FromResult(new TrafficSplit(100 - canaryWeight, canaryWeight, false));
    }

    /// <summary>Nothing to revert: the user's Ingress is never modified and the canary Ingress is owned by the canary (upstream: no-op).</summary>
    public Task FinalizeAsync(Canary canary, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The initial canary annotations (upstream: makeAnnotations): the given ones without NGINX canary annotations and
    /// kubectl's configuration, plus Flux's "disabled" pair, <c>canary: "true"</c> and <c>canary-weight: "0"</c>.
    /// </summary>
    private Dictionary<string, string> CanaryAnnotations(IDictionary<string, string>? source)
    {
        var canaryKey = Key("canary");
        var result = WithFluxDisabled((source ?? new Dictionary<string, string>())
            .Where(kv => !kv.Key.Contains(canaryKey, StringComparison.Ordinal) && !kv.Key.Contains(KubectlAnnotation, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value));
        result[canaryKey] = "true";
        result[Key("canary-weight")] = "0";
        return result;
    }

    /// <summary>
    /// The A/B annotations (upstream: makeHeaderAnnotations): a <c>cookie</c> match becomes <c>canary-by-cookie</c>,
    /// any other header <c>canary-by-header</c> with its exact value or regex; the last match of each kind wins.
    /// </summary>
    private Dictionary<string, string> HeaderAnnotations(Dictionary<string, string> annotations, List<HttpMatchRequest> match)
    {
        string? cookie = null, header = null, value = null, pattern = null;
        foreach (var (key, condition) in match.SelectMany(m => m.Headers ?? []))
        {
            if (key == CookieHeader)
            {
                cookie = condition.Exact;
            }
            else
            {
                header = key;
                value = condition.Exact;
                pattern = condition.Regex;
            }
        }

        var result = WithFluxDisabled(annotations);
        result[Key("canary")] = "true";
        SetIfPresent("canary-by-cookie", cookie);
        SetIfPresent("canary-by-header", header);
        SetIfPresent("canary-by-header-value", value);
        SetIfPresent("canary-by-header-pattern", pattern);
        return result;

        void SetIfPresent(string suffix, string? text)
        {
            if (!string.IsNullOrEmpty(text))
            {
                result[Key(suffix)] = text;
            }
        }
    }

    private string Key(string suffix) => $"{Prefix}/{suffix}";

    private static string IngressName(Canary canary) =>
        canary.Spec.IngressRef?.Name is { Length: > 0 } name
            ? name
            : throw new RoutingException($"Canary {Id(canary)}: ingress selector is empty (spec.ingressRef.name is required with provider nginx)");

    private static string CanaryIngressName(Canary canary) => IngressName(canary) + "-canary";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Ingress {Name}.{Namespace} {Outcome}")]
        public static partial void IngressWritten(ILogger logger, string name, string @namespace, string outcome);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Ingress {Name}.{Namespace} routes set: primary {PrimaryWeight}, canary {CanaryWeight}")]
        public static partial void RoutesSet(ILogger logger, string name, string @namespace, int primaryWeight, int canaryWeight);
    }
}
