using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// Records core/v1 Events as upstream's recorder does (source component <c>flagger</c>). A repeat of the same
/// reason and message on the same object within the aggregation window bumps <c>count</c> and <c>lastTimestamp</c> of
/// the existing Event instead of creating a new one. Failures are logged, never thrown into the rollout.
/// </summary>
internal sealed partial class EventRecorder(KubeApiClient api, Leadership leadership, TimeProvider time, ILogger<EventRecorder> logger) : IEventRecorder
{
    private static readonly TimeSpan AggregationWindow = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, (Corev1Event Event, DateTimeOffset Last)> _recent = new();

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        if (!leadership.IsLeader)
        {
            return;
        }

        var now = time.GetUtcNow();
        var key = $"{involved.Kind}/{involved.Metadata.NamespaceProperty}/{involved.Metadata.Name}/{type}/{reason}/{message}";
        try
        {
            if (_recent.TryGetValue(key, out var recent) && now - recent.Last < AggregationWindow
                && await TryBumpAsync(recent.Event, now, cancellationToken) is { } updated)
            {
                _recent[key] = (updated, now);
                return;
            }

            var created = await api.CreateAsync(NewEvent(involved, type, reason, message, now), cancellationToken);
            _recent[key] = (created, now);
        }
        catch (KubeApiException e)
        {
            _recent.TryRemove(key, out _);
            Log.RecordFailed(logger, involved.Metadata.Name, reason, e.Message);
        }

        foreach (var stale in _recent.Where(kv => now - kv.Value.Last >= AggregationWindow).Select(kv => kv.Key).ToList())
        {
            _recent.TryRemove(stale, out _);
        }
    }

    /// <summary>
    /// Bumps the count of an Event recorded before; null when it is gone (404: its namespace was recreated, or the API
    /// server's event TTL expired it), so the caller creates it again, as client-go's recorder does.
    /// </summary>
    private async Task<Corev1Event?> TryBumpAsync(Corev1Event recorded, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(
            $$"""{"count":{{(recorded.Count ?? 1) + 1}},"lastTimestamp":"{{now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""",
            V1Patch.PatchType.MergePatch);
        try
        {
            return await api.PatchAsync<Corev1Event>(recorded.Metadata.NamespaceProperty, recorded.Metadata.Name, patch, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private static Corev1Event NewEvent(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message, DateTimeOffset now) => new()
    {
        ApiVersion = "v1",
        Kind = "Event",
        Metadata = new V1ObjectMeta
        {
            Name = $"{involved.Metadata.Name}.{now.ToUnixTimeMilliseconds():x}{Random.Shared.Next(0x1000):x3}",
            NamespaceProperty = involved.Metadata.NamespaceProperty ?? "default",
        },
        InvolvedObject = new V1ObjectReference
        {
            ApiVersion = involved.ApiVersion,
            Kind = involved.Kind,
            Name = involved.Metadata.Name,
            NamespaceProperty = involved.Metadata.NamespaceProperty,
            Uid = involved.Metadata.Uid,
            ResourceVersion = involved.Metadata.ResourceVersion,
        },
        Reason = reason,
        Message = message,
        Type = type,
        Count = 1,
        FirstTimestamp = now.UtcDateTime,
        LastTimestamp = now.UtcDateTime,
        Source = new V1EventSource { Component = "flagger" },
        ReportingComponent = "flagger",
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} on {Name}: {Error}")]
        public static partial void RecordFailed(ILogger logger, string name, string reason, string error);
    }
}
