using System.Collections.Concurrent;
using Flagger.Modules.Rollout.Scheduling;
using Flagger.Modules.Rollout.StateMachine;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// The gate work of each canary (its webhooks of one type, its metric checks) as in-flight operations that run outside
/// the canary's step: a step starts an operation or takes its result, and never waits for one. An operation that does
/// not finish at once ends the step (<see cref="GatePendingException"/>); its completion raises <see cref="Completed"/>,
/// which wakes the canary, and the next step takes the result. An operation is never started twice while it runs, so
/// a long hook (a database migration) is called once, however many steps come and go meanwhile.
/// </summary>
internal sealed class GateOperations(TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<(CanaryKey Canary, string Id), Operation> _operations = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>An operation of this canary finished: its next step can take the result.</summary>
    public event Action<CanaryKey>? Completed;

    /// <summary>
    /// The outcome of operation <paramref name="id"/> of <paramref name="canary"/>, started with <paramref name="start"/>
    /// if it is not in flight; the outcome stays available until <see cref="Consume"/>.
    /// </summary>
    /// <exception cref="GatePendingException">The operation is still running.</exception>
    public GateOutcome Run(CanaryKey canary, string id, string description, Func<CancellationToken, Task<GateOutcome>> start)
    {
        var startedHere = false;
        var operation = _operations.GetOrAdd((canary, id), _ =>
        {
            startedHere = true;
            return new Operation(description, time.GetUtcNow(), Start(canary, start));
        });
        if (operation.Work.IsCompletedSuccessfully)
        {
            return operation.Work.Result;
        }

        if (operation.Work.IsCompleted)
        {
            // Failed or cancelled: forget it so the next step starts it again, and surface the failure in this one.
            _operations.TryRemove(new KeyValuePair<(CanaryKey, string), Operation>((canary, id), operation));
            return operation.Work.GetAwaiter().GetResult();
        }

        throw new GatePendingException(operation.Description, operation.StartedAt, startedHere);
    }

    /// <summary>True when an operation of <paramref name="canary"/> finished and its result waits to be taken.</summary>
    public bool HasResults(CanaryKey canary) =>
        _operations.Any(o => o.Key.Canary == canary && o.Value.Work.IsCompleted);

    /// <summary>The step decided: the finished operations of <paramref name="canary"/> are used up (running ones stay).</summary>
    public void Consume(CanaryKey canary)
    {
        foreach (var entry in _operations.Where(o => o.Key.Canary == canary && o.Value.Work.IsCompleted).ToList())
        {
            _operations.TryRemove(entry);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private Task<GateOutcome> Start(CanaryKey canary, Func<CancellationToken, Task<GateOutcome>> start)
    {
        // Runs synchronously up to its first await: work that is already done (or fails at once) is seen in this step.
        var work = start(_stopping.Token);
        if (!work.IsCompleted)
        {
            _ = work.ContinueWith(_ => Completed?.Invoke(canary), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return work;
    }

    private sealed record Operation(string Description, DateTimeOffset StartedAt, Task<GateOutcome> Work);
}

/// <summary>The step cannot decide yet: it waits on gate work that runs outside it and wakes the canary when done.</summary>
internal sealed class GatePendingException(string description, DateTimeOffset startedAt, bool startedInThisStep)
    : Exception($"waiting for {description}")
{
    /// <summary>What is being waited on, e.g. <c>pre-rollout webhook db-migration</c>.</summary>
    public string Description { get; } = description;

    /// <summary>When the work started.</summary>
    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>The work was started by this step (not found running from an earlier one).</summary>
    public bool StartedInThisStep { get; } = startedInThisStep;
}
