using System.Collections.Concurrent;
using Flagger.Modules.Rollout.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Rollout.Scheduling;

public sealed class CanarySchedulerTests : IAsyncDisposable
{
    private static readonly CanaryKey A = new("test", "a");
    private static readonly CanaryKey B = new("test", "b");
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ConcurrentQueue<(CanaryKey Key, StepTrigger Trigger, DateTimeOffset At)> _steps = new();
    private readonly CancellationTokenSource _stop = new();
    private Func<CanaryKey, StepTrigger, Task<TimeSpan?>> _behaviour;
    private CanaryScheduler? _scheduler;
    private Task? _running;

    public CanarySchedulerTests() => _behaviour = (_, _) => Task.FromResult<TimeSpan?>(Interval);

    private readonly ConcurrentQueue<TimeSpan> _lateness = new();

    private CanaryScheduler Start(int concurrency = 4)
    {
        _scheduler = new CanaryScheduler(
            async (key, trigger, ct) =>
            {
                _steps.Enqueue((key, trigger, _time.GetUtcNow()));
                return await _behaviour(key, trigger);
            },
            concurrency, _time, NullLogger.Instance, _lateness.Enqueue);
        _running = Task.Run(() => _scheduler.RunAsync(_stop.Token));
        return _scheduler;
    }

    // Waits (bounded) for background steps to be recorded; the clock itself is fake.
    private async Task<List<(CanaryKey Key, StepTrigger Trigger, DateTimeOffset At)>> StepsAsync(int count)
    {
        for (var i = 0; i < 500 && _steps.Count < count; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await Task.Delay(30, TestContext.Current.CancellationToken);
        return [.. _steps];
    }

    // For "nothing more happened" checks: give background work a moment, then read.
    private async Task<List<(CanaryKey Key, StepTrigger Trigger, DateTimeOffset At)>> SettledStepsAsync()
    {
        await Task.Delay(150, TestContext.Current.CancellationToken);
        return [.. _steps];
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        await Task.Delay(30, TestContext.Current.CancellationToken);
        _time.Advance(by);
    }

    [Fact]
    public async Task A_new_canary_steps_at_once_and_then_every_interval()
    {
        var scheduler = Start();
        scheduler.Wake(A);
        Assert.Single(await StepsAsync(1));

        await AdvanceAsync(Interval - TimeSpan.FromSeconds(1));
        Assert.Single(await SettledStepsAsync());

        await AdvanceAsync(TimeSpan.FromSeconds(1));
        var steps = await StepsAsync(2);
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.Equal(StepTrigger.Interval, s.Trigger));
        Assert.Equal(Interval, steps[1].At - steps[0].At);
    }

    [Fact]
    public async Task Interval_steps_report_how_late_they_started_and_wakes_report_nothing()
    {
        var scheduler = Start();
        scheduler.Wake(A);
        await StepsAsync(1);
        scheduler.Wake(A);
        await StepsAsync(2);

        // The clock jumps past the due time: the step starts 3s late.
        await AdvanceAsync(Interval + TimeSpan.FromSeconds(3));
        await StepsAsync(3);

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(3)], _lateness.ToArray());
    }

    [Fact]
    public async Task A_wake_runs_at_once_without_moving_the_next_interval_step()
    {
        var scheduler = Start();
        scheduler.Wake(A);
        await StepsAsync(1);

        await AdvanceAsync(TimeSpan.FromSeconds(5));
        scheduler.Wake(A);
        var steps = await StepsAsync(2);
        Assert.Equal(StepTrigger.Wake, steps[1].Trigger);
        Assert.Equal(TimeSpan.FromSeconds(5), steps[1].At - steps[0].At);

        await AdvanceAsync(Interval - TimeSpan.FromSeconds(5));
        steps = await StepsAsync(3);
        Assert.Equal(3, steps.Count);
        Assert.Equal(StepTrigger.Interval, steps[2].Trigger);
        Assert.Equal(Interval, steps[2].At - steps[0].At);
    }

    [Fact]
    public async Task A_slow_canary_does_not_delay_another()
    {
        var release = new TaskCompletionSource<TimeSpan?>();
        _behaviour = (key, _) => key == A ? release.Task : Task.FromResult<TimeSpan?>(Interval);
        var scheduler = Start(concurrency: 2);

        scheduler.Wake(A);
        scheduler.Wake(B);

        var steps = await StepsAsync(2);
        Assert.Contains(steps, s => s.Key == B);
        release.SetResult(Interval);
    }

    [Fact]
    public async Task Steps_of_one_canary_never_overlap_and_a_wake_during_a_step_runs_after_it()
    {
        var release = new TaskCompletionSource<TimeSpan?>();
        var calls = 0;
        _behaviour = (_, _) => Interlocked.Increment(ref calls) == 1 ? release.Task : Task.FromResult<TimeSpan?>(Interval);
        var scheduler = Start();

        scheduler.Wake(A);
        await StepsAsync(1);
        scheduler.Wake(A);
        scheduler.Wake(A);
        Assert.Single(await SettledStepsAsync());

        release.SetResult(Interval);
        var steps = await StepsAsync(2);
        Assert.Equal(2, steps.Count);
        Assert.Equal(StepTrigger.Wake, steps[1].Trigger);
    }

    [Fact]
    public async Task A_failing_step_is_retried_after_ten_seconds_and_others_carry_on()
    {
        _behaviour = (key, _) => key == A ? throw new InvalidOperationException("boom") : Task.FromResult<TimeSpan?>(Interval);
        var scheduler = Start();
        scheduler.Wake(A);
        scheduler.Wake(B);
        Assert.Equal(2, (await StepsAsync(2)).Count);

        await AdvanceAsync(TimeSpan.FromSeconds(10));
        var steps = await StepsAsync(3);
        Assert.Equal(A, steps[2].Key);
    }

    [Fact]
    public async Task A_step_returning_null_unschedules_the_canary()
    {
        _behaviour = (_, _) => Task.FromResult<TimeSpan?>(null);
        var scheduler = Start();
        scheduler.Wake(A);
        await StepsAsync(1);

        await AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Single(await SettledStepsAsync());
    }

    [Fact]
    public async Task Resync_adds_canaries_it_did_not_know_and_drops_those_that_no_longer_exist()
    {
        var scheduler = Start();

        Assert.Equal(1, scheduler.Resync(new HashSet<CanaryKey> { A }));
        Assert.Single(await StepsAsync(1));

        Assert.Equal(0, scheduler.Resync(new HashSet<CanaryKey>()));
        await AdvanceAsync(Interval);
        Assert.Single(await SettledStepsAsync());
    }

    [Fact]
    public async Task Resync_leaves_a_healthy_schedule_alone()
    {
        var scheduler = Start();
        scheduler.Wake(A);
        await StepsAsync(1);

        Assert.Equal(0, scheduler.Resync(new HashSet<CanaryKey> { A }));
        Assert.Single(await SettledStepsAsync());
    }

    // Issue 12 item 6, the stall. The resync lists the canaries from the cache, then takes the scheduler's lock; a canary
    // created in between is woken (and its first step started) before the resync looks at it. The resync used to drop
    // it as "vanished" while its step ran, so the step's completion found no entry and queued nothing: the canary was
    // not stepped again until the next resync added it back.
    [Fact]
    public async Task A_canary_woken_after_the_resync_listed_the_canaries_keeps_being_stepped()
    {
        var release = new TaskCompletionSource<TimeSpan?>();
        var calls = 0;
        _behaviour = (_, _) => Interlocked.Increment(ref calls) == 1 ? release.Task : Task.FromResult<TimeSpan?>(Interval);
        var scheduler = Start();
        IReadOnlyCollection<CanaryKey> listedBeforeACreated = new HashSet<CanaryKey>();

        scheduler.Wake(A);
        Assert.Single(await StepsAsync(1));
        Assert.Equal(0, scheduler.Resync(listedBeforeACreated));
        release.SetResult(Interval);

        await AdvanceAsync(Interval);
        Assert.Equal(2, (await StepsAsync(2)).Count);
        Assert.Equal(0, scheduler.Resync(new HashSet<CanaryKey> { A }));
    }

    [Fact]
    public async Task A_canary_woken_but_not_yet_stepped_when_a_stale_resync_runs_is_stepped()
    {
        var scheduler = Start(concurrency: 1);
        var release = new TaskCompletionSource<TimeSpan?>();
        _behaviour = (key, _) => key == B ? release.Task : Task.FromResult<TimeSpan?>(Interval);
        scheduler.Wake(B);
        await StepsAsync(1);

        // A is queued behind B (one slot); the resync's list predates A.
        scheduler.Wake(A);
        Assert.Equal(0, scheduler.Resync(new HashSet<CanaryKey> { B }));
        release.SetResult(Interval);
        Assert.Contains((await StepsAsync(2)).Skip(1), s => s.Key == A);
    }

    [Fact]
    public async Task Canaries_waiting_for_a_slot_are_not_repaired_by_the_resync()
    {
        var release = new TaskCompletionSource<TimeSpan?>();
        _behaviour = (key, _) => key == A ? release.Task : Task.FromResult<TimeSpan?>(Interval);
        var scheduler = Start(concurrency: 1);
        scheduler.Wake(A);
        await StepsAsync(1);
        scheduler.Wake(B);

        await AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, scheduler.Resync(new HashSet<CanaryKey> { A, B }));
        release.SetResult(Interval);
        Assert.Contains(await StepsAsync(2), s => s.Key == B);
    }

    [Fact]
    public async Task No_more_than_the_configured_number_of_steps_run_at_once()
    {
        var running = 0;
        var peak = 0;
        var gate = new TaskCompletionSource<TimeSpan?>();
        _behaviour = async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            var next = await gate.Task;
            Interlocked.Decrement(ref running);
            return next;
        };
        var scheduler = Start(concurrency: 2);
        foreach (var i in Enumerable.Range(0, 6))
        {
            scheduler.Wake(new CanaryKey("test", $"c{i}"));
        }

        Assert.Equal(2, (await SettledStepsAsync()).Count);
        gate.SetResult(Interval);
        Assert.Equal(6, (await StepsAsync(6)).Count);
        Assert.Equal(2, peak);
    }

    [Fact]
    public async Task A_canary_deleted_and_created_again_during_its_step_gets_no_second_concurrent_step()
    {
        var release = new TaskCompletionSource<TimeSpan?>();
        var calls = 0;
        _behaviour = (_, _) => Interlocked.Increment(ref calls) == 1 ? release.Task : Task.FromResult<TimeSpan?>(Interval);
        var scheduler = Start();
        scheduler.Wake(A);
        await StepsAsync(1);

        scheduler.Remove(A);
        scheduler.Wake(A);
        Assert.Single(await SettledStepsAsync());

        release.SetResult(Interval);
        Assert.Equal(2, (await StepsAsync(2)).Count);
    }

    [Fact]
    public async Task A_canary_deleted_during_its_step_is_not_stepped_again()
    {
        var release = new TaskCompletionSource<TimeSpan?>();
        _behaviour = (_, _) => release.Task;
        var scheduler = Start();
        scheduler.Wake(A);
        await StepsAsync(1);

        scheduler.Remove(A);
        release.SetResult(Interval);
        await AdvanceAsync(Interval);
        Assert.Single(await SettledStepsAsync());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running;
        }

        _stop.Dispose();
    }
}
