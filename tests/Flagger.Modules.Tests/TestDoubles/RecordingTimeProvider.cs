using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.TestDoubles;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports every timer created on it (due time), so a test can wait until
/// code under test is actually waiting before it advances the clock: no sleeps, no races.
/// </summary>
internal sealed class RecordingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Writer.TryWrite(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>The due time of the next timer created (bounded wait so a broken test fails instead of hanging).</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _timers.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Waits for the next timer whose due time is not <paramref name="ignore"/> (e.g. per-attempt timeouts).</summary>
    public async Task<TimeSpan> NextTimerExceptAsync(TimeSpan ignore)
    {
        while (true)
        {
            var due = await NextTimerAsync();
            if (due != ignore)
            {
                return due;
            }
        }
    }
}
