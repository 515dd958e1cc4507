using System.Globalization;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using k8s.Models;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.AppMesh;

/// <summary>What both App Mesh routers derive from the canary the same way (upstream: pkg/router/appmesh.go, appmesh_v1beta2.go).</summary>
internal static class AppMeshConventions
{
    /// <summary>Canary annotation that turns on the virtual nodes' Envoy access log (upstream: pkg/apis/appmesh/register.go).</summary>
    public const string AccessLogAnnotation = "appmesh.flagger.app/accesslog";

    public const string AccessLogEnabled = "enabled";

    /// <summary>Where the access log goes when enabled.</summary>
    public const string AccessLogPath = "/dev/stdout";

    /// <summary>Per-try timeout of the retry policy when <c>retries.perTryTimeout</c> is unset or invalid (ms).</summary>
    public const long DefaultPerTryTimeoutMs = 250;

    /// <summary>Retry event when <c>retries.retryOn</c> is empty.</summary>
    public const string DefaultRetryEvent = "gateway-error";

    /// <summary>Priority of the A/B route that matches headers, and of the default route after it.</summary>
    public const long HeaderRoutePriority = 10;

    public const long DefaultRoutePriority = 20;

    /// <summary><c>grpc</c> when <c>service.portName</c> contains "grpc", else <c>http</c>.</summary>
    public static string Protocol(CanaryService service) =>
        (service.PortName ?? "").Contains("grpc", StringComparison.Ordinal) ? "grpc" : "http";

    /// <summary>App Mesh routes match URI prefixes only: <c>service.match[0].uri.prefix</c>, else <c>/</c>.</summary>
    public static string RoutePrefix(CanaryService service) =>
        service.Match is [{ Uri.Prefix: { Length: > 0 } prefix }, ..] ? prefix : "/";

    /// <summary>The Envoy file access log to stdout when the canary carries <c>appmesh.flagger.app/accesslog: enabled</c>.</summary>
    public static AppMeshLogging? Logging(Canary canary) =>
        canary.Metadata.Annotations?.TryGetValue(AccessLogAnnotation, out var value) == true && value == AccessLogEnabled
            ? new AppMeshLogging { AccessLog = new AppMeshAccessLog { File = new AppMeshFileAccessLog { Path = AccessLogPath } } }
            : null;

    /// <summary><c>service.timeout</c> in milliseconds, or null when unset or not a Go duration.</summary>
    public static long? TimeoutMs(CanaryService service) =>
        GoDuration.TryParse(service.Timeout, out var timeout) ? (long)timeout.TotalMilliseconds : null;

    /// <summary>The retry policy of <c>service.retries</c>: per-try timeout (ms, default 250), attempts (default 1), events.</summary>
    public static (long PerTryTimeoutMs, long MaxRetries, List<string> Events)? Retries(CanaryService service)
    {
        if (service.Retries is not { } retries)
        {
            return null;
        }

        var perTry = GoDuration.TryParse(retries.PerTryTimeout, out var d) ? (long)d.TotalMilliseconds : DefaultPerTryTimeoutMs;
        var attempts = retries.Attempts is > 0 and var a ? a : 1;
        var events = string.IsNullOrEmpty(retries.RetryOn) ? [DefaultRetryEvent] : retries.RetryOn.Split(',').ToList();
        return (perTry, attempts, events);
    }

    /// <summary>One header condition per header of every <c>analysis.match</c> entry (empty string matches are left out).</summary>
    public static List<AppMeshHttpRouteHeader> Headers(Canary canary) =>
        (canary.Spec.Analysis?.Match ?? [])
            .SelectMany(m => m.Headers ?? [])
            .Select(h => new AppMeshHttpRouteHeader
            {
                Name = h.Key,
                Match = new AppMeshHeaderMatch
                {
                    Exact = NullIfEmpty(h.Value.Exact),
                    Prefix = NullIfEmpty(h.Value.Prefix),
                    Regex = NullIfEmpty(h.Value.Regex),
                    Suffix = NullIfEmpty(h.Value.Suffix),
                },
            })
            .ToList();

    /// <summary>Whether the apex router splits on headers (A/B testing).</summary>
    public static bool IsAbTesting(Canary canary) => canary.Spec.Analysis?.Match is { Count: > 0 };

    /// <summary>
    /// The App Mesh Gateway annotations of the apex virtual service when <c>service.hosts</c> is set: expose, the domains
    /// (each followed by a comma, as upstream), the timeout and the retry attempts.
    /// </summary>
    public static Dictionary<string, string> GatewayAnnotations(CanaryService service)
    {
        var annotations = new Dictionary<string, string>();
        var domains = string.Concat((service.Hosts ?? []).Select(h => h + ","));
        if (domains.Length == 0)
        {
            return annotations;
        }

        annotations["gateway.appmesh.k8s.aws/expose"] = "true";
        annotations["gateway.appmesh.k8s.aws/domain"] = domains;
        if (!string.IsNullOrEmpty(service.Timeout))
        {
            annotations["gateway.appmesh.k8s.aws/timeout"] = service.Timeout;
        }

        if (service.Retries?.Attempts is > 0 and var attempts)
        {
            annotations["gateway.appmesh.k8s.aws/retries"] = attempts.ToString(CultureInfo.InvariantCulture);
        }

        return annotations;
    }

    /// <summary>The virtual nodes' labels: <c>service.apex.labels</c>.</summary>
    public static Dictionary<string, string> NodeLabels(CanaryService service) =>
        service.Apex?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(service.Apex.Labels);

    /// <summary>The virtual nodes' annotations: <c>service.apex.annotations</c> plus the Flux "disabled" pair.</summary>
    public static Dictionary<string, string> NodeAnnotations(CanaryService service) => WithFluxDisabled(service.Apex?.Annotations);

    /// <summary>
    /// Annotations that leave an existing object's as they are (Flagger does not own them) but let the write helper keep
    /// the original configuration of a taken-over object; null for a new object.
    /// </summary>
    public static Dictionary<string, string>? Unmanaged(V1ObjectMeta? existing, IReadOnlyDictionary<string, string>? add = null)
    {
        if (existing is null)
        {
            return add is { Count: > 0 } ? new Dictionary<string, string>(add) : null;
        }

        var annotations = existing.Annotations is null ? new Dictionary<string, string>() : new Dictionary<string, string>(existing.Annotations);
        foreach (var (key, value) in add ?? new Dictionary<string, string>())
        {
            annotations[key] = value;
        }

        return annotations;
    }

    /// <summary>The live split of a route's weighted targets, or null unless it names both the primary and the canary node with weight.</summary>
    public static TrafficSplit? Split(IEnumerable<(string? Node, long Weight)> targets, string primary, string canaryName, bool requireTwo)
    {
        var list = targets.ToList();
        if (requireTwo && list.Count != 2)
        {
            return null;
        }

        long primaryWeight = 0, canaryWeight = 0;
        foreach (var (node, weight) in list)
        {
            if (node == primary)
            {
                primaryWeight = weight;
            }
            else if (node == canaryName)
            {
                canaryWeight = weight;
            }
        }

        return primaryWeight == 0 && canaryWeight == 0 ? null : new TrafficSplit((int)primaryWeight, (int)canaryWeight, false);
    }

    /// <summary>Weights must be percentages.</summary>
    /// <exception cref="RoutingException">A weight is outside 0–100.</exception>
    public static void ValidateSplit(Canary canary, TrafficSplit split)
    {
        if (split.PrimaryWeight is < 0 or > 100 || split.CanaryWeight is < 0 or > 100)
        {
            throw new RoutingException($"Canary {Id(canary)}: weights must be between 0 and 100 " +
                $"(primary {split.PrimaryWeight}, canary {split.CanaryWeight})");
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
