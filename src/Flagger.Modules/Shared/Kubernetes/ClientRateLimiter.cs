namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// client-go's client-side rate limit (<c>flowcontrol.NewTokenBucketRateLimiter</c>, upstream's <c>-kubeconfig-qps</c> and
/// <c>-kubeconfig-burst</c>): a bucket of <see cref="Burst"/> tokens refilled at <see cref="Qps"/> per second; each API
/// request start takes one token and waits its turn when the bucket is empty. A watch waits only to start; the stream
/// it then reads is not limited.
/// </summary>
internal sealed class ClientRateLimiter
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private long _updated;

    /// <param name="qps">Steady rate; 0 takes client-go's default (5), a negative value disables the limit.</param>
    /// <param name="burst">Bucket size; 0 takes client-go's default (10).</param>
    /// <param name="time">The clock.</param>
    public ClientRateLimiter(double qps, int burst, TimeProvider time)
    {
        Qps = qps == 0 ? 5 : qps;
        Burst = burst <= 0 ? 10 : burst;
        _time = time;
        _tokens = Burst;
        _updated = time.GetTimestamp();
    }

    /// <summary>No limit (as client-go with a negative QPS).</summary>
    public static ClientRateLimiter Unlimited { get; } = new(-1, 1, TimeProvider.System);

    public double Qps { get; }

    public int Burst { get; }

    /// <summary>Takes a token, waiting until one is due (first come, first served).</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _time, cancellationToken);
    }

    /// <summary>Takes a token now (the balance may go negative) and returns how long the caller must wait for it.</summary>
    internal TimeSpan Reserve()
    {
        if (Qps < 0)
        {
            return TimeSpan.Zero;
        }

        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_updated, now).TotalSeconds * Qps));
            _updated = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / Qps);
        }
    }
}
