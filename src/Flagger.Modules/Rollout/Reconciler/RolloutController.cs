using System.Collections.Concurrent;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// The rollout loop. Watch events from the caches wake the canaries they concern (a new or changed canary, its target
/// workload or Service, ConfigMaps and Secrets of its namespace); one scheduler steps every canary at its analysis
/// interval; the loop runs only while this instance leads and stops the moment leadership is lost.
/// </summary>
internal sealed partial class RolloutController(
    IKubeCache cache,
    CanaryReconciler reconciler,
    Leadership leadership,
    IOptions<RolloutOptions> options,
    CanaryTelemetry telemetry,
    TimeProvider time,
    ILogger<RolloutController> logger) : BackgroundService
{
    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<CanaryKey, (long Generation, string Target)> _seen = new();
    private CanaryScheduler? _scheduler;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        cache.Changed += OnChange;
        reconciler.GateCompleted += OnGateCompleted;
        try
        {
            // Acting on a half-filled cache would report existing objects as missing.
            await cache.WaitForSyncAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForLeadershipAsync(stoppingToken);
                using var term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.Token);
                var scheduler = new CanaryScheduler(reconciler.StepAsync, options.Value.MaxConcurrentSteps, time, logger, telemetry.StepLateness);
                _scheduler = scheduler;
                foreach (var canary in cache.List<Canary>())
                {
                    Track(canary);
                    scheduler.Wake(Key(canary));
                }

                foreach (var unreadable in cache.ListUnreadable<Canary>())
                {
                    scheduler.Wake(new CanaryKey(unreadable.Namespace, unreadable.Name));
                }

                UpdateTotals();
                Log.Started(logger, cache.List<Canary>().Count);
                await Task.WhenAll(scheduler.RunAsync(term.Token), ResyncAsync(scheduler, term.Token));
                _scheduler = null;
            }
        }
        finally
        {
            cache.Changed -= OnChange;
            reconciler.GateCompleted -= OnGateCompleted;
        }
    }

    // A webhook or metric query of the canary finished outside its step: its next step takes the result.
    private void OnGateCompleted(CanaryKey key) => _scheduler?.Wake(key);

    // upstream: scheduleCanaries every -control-loop-interval (10s). Watch events and step completions do the real work;
    // this is a safety net whose repairs are counted (flagger_scheduler_resync_repairs_total) and logged as warnings.
    private async Task ResyncAsync(CanaryScheduler scheduler, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(ResyncInterval, time, cancellationToken);
                telemetry.ResyncRepairs(scheduler.Resync(AllKeys()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Leadership ended or shutting down.
        }
    }

    private async Task WaitForLeadershipAsync(CancellationToken stoppingToken)
    {
        while (!leadership.IsLeader)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken);
        }
    }

    private void OnChange(ObjectChange change)
    {
        var scheduler = _scheduler;
        if (scheduler is null)
        {
            return;
        }

        switch (change.Kind.Kind)
        {
            case Canary.KubeKind:
                OnCanaryChange(scheduler, change);
                break;
            case "Deployment" or "DaemonSet" or "Service":
                foreach (var canary in cache.List<Canary>(change.Namespace).Where(c => c.Spec.TargetRef?.Name == change.Name && c.Spec.TargetRef?.Kind == change.Kind.Kind))
                {
                    scheduler.Wake(Key(canary));
                }

                break;
            case "ConfigMap" or "Secret":
                foreach (var canary in cache.List<Canary>(change.Namespace))
                {
                    scheduler.Wake(Key(canary));
                }

                break;
        }
    }

    // upstream: pkg/controller/controller.go — status-only updates are ignored; spec changes and deletion act at once.
    private void OnCanaryChange(CanaryScheduler scheduler, ObjectChange change)
    {
        var key = new CanaryKey(change.Namespace, change.Name);
        if (change.Type == WatchEventType.Deleted)
        {
            Log.Deleted(logger, key.ToString());
            scheduler.Remove(key);
            reconciler.Forget(key);
            if (_seen.TryRemove(key, out var last))
            {
                telemetry.Removed(key, last.Target);
            }

            UpdateTotals();
            return;
        }

        var canary = cache.Get<Canary>(change.Namespace, change.Name);
        if (canary is null)
        {
            // Unreadable (a wrong JSON type): stepped so that it gets its Validated=False condition and event.
            if (cache.GetUnreadable<Canary>(change.Namespace, change.Name) is not null)
            {
                _seen.TryRemove(key, out _);
                scheduler.Wake(key);
            }

            return;
        }

        var generation = canary.Metadata.Generation ?? 0;
        var isNew = !_seen.TryGetValue(key, out var previous);
        Track(canary);
        if (isNew || previous.Generation != generation || canary.Metadata.DeletionTimestamp is not null)
        {
            scheduler.Wake(key);
        }

        if (isNew)
        {
            UpdateTotals();
        }
    }

    private void Track(Canary canary) =>
        _seen[Key(canary)] = (canary.Metadata.Generation ?? 0, canary.Spec.TargetRef?.Name ?? canary.Metadata.Name);

    private void UpdateTotals()
    {
        foreach (var group in cache.List<Canary>().GroupBy(c => c.Metadata.NamespaceProperty ?? ""))
        {
            telemetry.Total(group.Key, group.Count());
        }
    }

    // Readable and unreadable canaries: both are stepped (the latter only to report why they cannot be read).
    private HashSet<CanaryKey> AllKeys() =>
        [.. cache.List<Canary>().Select(Key), .. cache.ListUnreadable<Canary>().Select(u => new CanaryKey(u.Namespace, u.Name))];

    private static CanaryKey Key(Canary canary) => new(canary.Metadata.NamespaceProperty ?? "", canary.Metadata.Name);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Canary {Canary} deleted: no longer scheduled")]
        public static partial void Deleted(ILogger logger, string canary);

        [LoggerMessage(Level = LogLevel.Information, Message = "Leading: stepping {Count} canaries")]
        public static partial void Started(ILogger logger, int count);
    }
}
