namespace WebhookSender.Tests.Limiting;

/// <summary>The in-process token bucket (System.Threading.RateLimiting) and the spreading of what it refuses.</summary>
public class RateBucketTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_local_bucket_gives_its_burst_refuses_the_next_and_refills_within_the_period()
    {
        using var bucket = new LocalRateBucket(WebhookRateLimit.PerSecond(10, burst: 2));

        Assert.Null(await bucket.TryTakeAsync(1, Now, default));
        Assert.Null(await bucket.TryTakeAsync(1, Now, default));
        var refused = await bucket.TryTakeAsync(1, Now, default);
        Assert.NotNull(refused);
        Assert.InRange(refused.Value - Now, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

        // Ten a second refill one permit every 100 ms, not ten once a second: 400 ms later two are back (the burst).
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        Assert.Null(await bucket.TryTakeAsync(1, Now, default));
        Assert.Null(await bucket.TryTakeAsync(1, Now, default));
        Assert.NotNull(await bucket.TryTakeAsync(1, Now, default));
    }

    [Fact]
    public void Refused_requests_are_spread_one_permit_apart()
    {
        using var bucket = new LocalRateBucket(WebhookRateLimit.PerSecond(4));
        var retryAt = Now.AddMilliseconds(250);

        Assert.Equal([retryAt, retryAt.AddMilliseconds(250), retryAt.AddMilliseconds(500)], new[] { bucket.Spread(retryAt), bucket.Spread(retryAt), bucket.Spread(retryAt) });
        Assert.Equal(Now.AddSeconds(5), bucket.Spread(Now.AddSeconds(5)));
    }
}
