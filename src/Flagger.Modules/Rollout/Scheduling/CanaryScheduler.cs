using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Rollout.Scheduling;

/// <summary>
/// One timer queue for all canaries. A canary is due at its analysis interval and can be woken at once by a watch
/// event; due canaries run on a bounded pool of concurrent steps, never two steps of the same canary at once, so a
/// slow canary (a hanging webhook, a slow metrics server) never delays the others. A wake that arrives while the
/// canary's step runs is kept and served right after it. A step that waits on a webhook or a metric query does not
/// wait here: the gate runs outside the step and its completion wakes the canary (<c>GateRunner</c>).
/// </summary>
/// <remarks>
/// Every queued canary has exactly one live queue item (the one at <c>QueuedAt</c>) or a running step; the periodic
/// <see cref="Resync"/> only checks that invariant and counts what it had to repair (it should never repair anything).
/// </remarks>
/// <param name="runStep">Runs one step and returns the delay until the next interval step, or null to stop scheduling the canary.</param>
/// <param name="maxConcurrentSteps">How many steps may run at once.</param>
/// <param name="time">The clock.</param>
/// <param name="logger">Where failed steps are logged.</param>
/// <param name="lateness">Told, for every interval step, how long after its due time it started (null: not measured).</param>
internal sealed partial class CanaryScheduler(
    Func<CanaryKey, StepTrigger, CancellationToken, Task<TimeSpan?>> runStep,
    int maxConcurrentSteps,
    TimeProvider time,
    ILogger logger,
    Action<TimeSpan>? lateness = null)
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    // Every external call of a step has its own timeout; this bounds the whole step so one can never hold a canary.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly PriorityQueue<CanaryKey, DateTimeOffset> _queue = new();
    private readonly Dictionary<CanaryKey, Entry> _entries = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly SemaphoreSlim _slots = new(Math.Max(1, maxConcurrentSteps));
    private long _stepsStarted;

    private sealed class Entry
    {
        public DateTimeOffset IntervalDue;
        public bool WakeRequested;
        public bool Running;
        public DateTimeOffset QueuedAt;

        // Deleted while its step ran: dropped when the step ends unless woken again.
        public bool Removed;

        // Woken (or added) since the previous resync: the resync's list of canaries may predate it.
        public bool WokenSinceResync = true;
    }

    /// <summary>How many steps have started since creation (for tests and the load driver).</summary>
    public long StepsStarted => Interlocked.Read(ref _stepsStarted);

    /// <summary>Adds a canary (an interval step, due now) or, for a known canary, asks for a wake step as soon as possible.</summary>
    public void Wake(CanaryKey key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry { IntervalDue = now };
                _entries[key] = entry;
            }
            else
            {
                entry.WakeRequested = true;
                entry.WokenSinceResync = true;
                entry.Removed = false;
            }

            if (!entry.Running)
            {
                Enqueue(key, entry, now);
            }
        }

        _signal.Release();
    }

    /// <summary>Stops scheduling a canary (it was deleted and finalized).</summary>
    public void Remove(CanaryKey key)
    {
        lock (_lock)
        {
            // A running step keeps its entry until it ends: a canary created again meanwhile must not get a second,
            // concurrent step.
            if (_entries.TryGetValue(key, out var entry) && entry.Running)
            {
                entry.Removed = true;
            }
            else
            {
                _entries.Remove(key);
            }
        }
    }

    /// <summary>
    /// The safety net of upstream's periodic <c>scheduleCanaries</c>: canaries the scheduler does not know are added, a
    /// canary that is neither running nor queued is queued again, and canaries that no longer exist are dropped (unless
    /// running or woken since the previous resync: <paramref name="existing"/> may have been listed before they were
    /// created). Watch events and step completions keep the schedule; each repair is logged as a warning.
    /// </summary>
    /// <returns>How many canaries had to be added or queued again (0 when the schedule was intact).</returns>
    public int Resync(IReadOnlyCollection<CanaryKey> existing)
    {
        var repaired = 0;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var (key, _) in _entries.Where(e => !existing.Contains(e.Key) && !e.Value.Running && !e.Value.WokenSinceResync).ToList())
            {
                _entries.Remove(key);
            }

            var live = _queue.UnorderedItems.Select(i => (i.Element, i.Priority)).ToHashSet();
            foreach (var key in existing)
            {
                if (!_entries.TryGetValue(key, out var entry))
                {
                    Log.Unknown(logger, key.ToString());
                    entry = new Entry { IntervalDue = now };
                    _entries[key] = entry;
                    Enqueue(key, entry, now);
                    repaired++;
                }
                else if (!entry.Running && !live.Contains((key, entry.QueuedAt)))
                {
                    Log.Requeued(logger, key.ToString());
                    Enqueue(key, entry, entry.QueuedAt > now ? entry.QueuedAt : now);
                    repaired++;
                }
            }

            foreach (var entry in _entries.Values)
            {
                entry.WokenSinceResync = false;
            }
        }

        _signal.Release();
        return repaired;
    }

    /// <summary>Runs the queue until cancelled; in-flight steps are awaited before returning.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var inFlight = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Take a slot before taking a canary off the queue: a canary waiting for a slot stays queued.
                await _slots.WaitAsync(cancellationToken);
                var (next, delay) = TakeDue();
                if (next is { } due)
                {
                    inFlight.RemoveAll(t => t.IsCompleted);
                    inFlight.Add(RunOneAsync(due.Key, due.Trigger, due.Due, cancellationToken));
                    continue;
                }

                _slots.Release();
                Log.Idle(logger, delay, _entries.Count);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var signalled = _signal.WaitAsync(wait.Token);
                var timer = delay is { } d ? Task.Delay(d, time, wait.Token) : Task.Delay(Timeout.Infinite, wait.Token);
                await Task.WhenAny(signalled, timer);
                await wait.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await Task.WhenAll(inFlight);
    }

    private ((CanaryKey Key, StepTrigger Trigger, DateTimeOffset Due)? Due, TimeSpan? Delay) TakeDue()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            while (_queue.TryPeek(out var key, out var at))
            {
                // Skip stale queue items: the canary was removed, re-queued at another time, or is running.
                if (!_entries.TryGetValue(key, out var entry) || entry.QueuedAt != at || entry.Running)
                {
                    _queue.Dequeue();
                    continue;
                }

                if (at > now)
                {
                    return (null, at - now);
                }

                _queue.Dequeue();
                entry.Running = true;
                var trigger = entry.IntervalDue <= now ? StepTrigger.Interval : StepTrigger.Wake;
                entry.WakeRequested = false;
                return ((key, trigger, entry.IntervalDue), null);
            }

            return (null, null);
        }
    }

    private async Task RunOneAsync(CanaryKey key, StepTrigger trigger, DateTimeOffset due, CancellationToken cancellationToken)
    {
        // Leave the scheduler loop before running the step.
        await Task.Yield();
        Interlocked.Increment(ref _stepsStarted);
        TimeSpan? next;
        using var stepTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stepTimeout.CancelAfter(StepTimeout);
        try
        {
            if (trigger == StepTrigger.Interval)
            {
                lateness?.Invoke(time.GetUtcNow() - due);
            }

            Log.StepStarted(logger, key.ToString(), trigger);
            next = await runStep(key, trigger, stepTimeout.Token);
            Log.StepFinished(logger, key.ToString(), next);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            next = null;
        }
        catch (OperationCanceledException) when (stepTimeout.IsCancellationRequested)
        {
            Log.StepTimedOut(logger, key.ToString(), StepTimeout.TotalSeconds);
            next = RetryAfterFailure;
        }
        catch (Exception e)
        {
            // A bug or an unexpected failure in one canary's step must not stop the scheduler.
            Log.StepFailed(logger, key.ToString(), e);
            next = RetryAfterFailure;
        }
        finally
        {
            _slots.Release();
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                entry.Running = false;
                var now = time.GetUtcNow();
                if (trigger == StepTrigger.Interval || next is null)
                {
                    entry.IntervalDue = now + (next ?? RetryAfterFailure);
                }

                if ((next is null || entry.Removed) && !entry.WakeRequested)
                {
                    _entries.Remove(key);
                }
                else
                {
                    Enqueue(key, entry, entry.WakeRequested ? now : entry.IntervalDue);
                }
            }
        }

        _signal.Release();
    }

    private void Enqueue(CanaryKey key, Entry entry, DateTimeOffset at)
    {
        entry.QueuedAt = at;
        _queue.Enqueue(key, at);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduler idle: next step due in {Delay} ({Count} canaries)")]
        public static partial void Idle(ILogger logger, TimeSpan? delay, int count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Step of canary {Canary} ({Trigger}) started")]
        public static partial void StepStarted(ILogger logger, string canary, StepTrigger trigger);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Step of canary {Canary} finished; next interval step in {Next}")]
        public static partial void StepFinished(ILogger logger, string canary, TimeSpan? next);

        [LoggerMessage(Level = LogLevel.Error, Message = "Step of canary {Canary} did not finish within {Seconds}s; cancelled, retrying in 10s")]
        public static partial void StepTimedOut(ILogger logger, string canary, double seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Resync repair: canary {Canary} was neither running nor queued; queued again")]
        public static partial void Requeued(ILogger logger, string canary);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Resync repair: canary {Canary} was not scheduled; added")]
        public static partial void Unknown(ILogger logger, string canary);

        [LoggerMessage(Level = LogLevel.Error, Message = "Step of canary {Canary} failed; retrying in 10s")]
        public static partial void StepFailed(ILogger logger, string canary, Exception exception);
    }
}
