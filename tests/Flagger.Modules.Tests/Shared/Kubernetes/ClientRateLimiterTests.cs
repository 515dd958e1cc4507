using Flagger.Modules.Shared.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Shared.Kubernetes;

/// <summary>The client-side token bucket behind <c>-kubeconfig-qps</c> / <c>-kubeconfig-burst</c>, on a fake clock.</summary>
public sealed class ClientRateLimiterTests
{
    [Fact]
    public void Burst_requests_pass_immediately_and_each_further_one_waits_one_qps_interval_more()
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(qps: 10, burst: 5, time);

        var burst = Enumerable.Range(0, 5).Select(_ => limiter.Reserve()).ToList();
        var next = Enumerable.Range(0, 3).Select(_ => limiter.Reserve()).ToList();

        Assert.All(burst, wait => Assert.Equal(TimeSpan.Zero, wait));
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300)], next.Select(Round));
    }

    [Fact]
    public async Task A_request_beyond_the_burst_completes_only_after_1_over_qps_of_clock_time()
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(qps: 4, burst: 2, time);
        await limiter.WaitAsync(TestContext.Current.CancellationToken);
        await limiter.WaitAsync(TestContext.Current.CancellationToken);

        var third = limiter.WaitAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await third.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void The_bucket_refills_at_qps_up_to_the_burst()
    {
        var time = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(qps: 2, burst: 3, time);
        for (var i = 0; i < 3; i++)
        {
            limiter.Reserve();
        }

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(500), Round(limiter.Reserve()));

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.All(Enumerable.Range(0, 3).Select(_ => limiter.Reserve()), wait => Assert.Equal(TimeSpan.Zero, wait));
        Assert.NotEqual(TimeSpan.Zero, limiter.Reserve());
    }

    [Fact]
    public void A_negative_qps_disables_the_limit_and_zero_takes_client_gos_defaults()
    {
        var unlimited = new ClientRateLimiter(qps: -1, burst: 1, new FakeTimeProvider());
        Assert.All(Enumerable.Range(0, 1000).Select(_ => unlimited.Reserve()), wait => Assert.Equal(TimeSpan.Zero, wait));

        var defaults = new ClientRateLimiter(qps: 0, burst: 0, new FakeTimeProvider());
        Assert.Equal((5d, 10), (defaults.Qps, defaults.Burst));
    }

    private static TimeSpan Round(TimeSpan t) => TimeSpan.FromMilliseconds(Math.Round(t.TotalMilliseconds));
}
