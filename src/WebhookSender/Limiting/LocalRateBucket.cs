using System.Threading.RateLimiting;

namespace WebhookSender;

/// <summary>
/// A rate limit counted in this process alone: a <see cref="TokenBucketRateLimiter"/> of
/// <c>System.Threading.RateLimiting</c>, replenished on each use rather than by its own timer.
/// </summary>
internal sealed class LocalRateBucket : RateBucket, IDisposable
{
    private readonly TokenBucketRateLimiter _limiter;

    public LocalRateBucket(WebhookRateLimit limit)
        : base(limit)
    {
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.EffectiveBurst,
            TokensPerPeriod = limit.Limit,
            ReplenishmentPeriod = limit.Period,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
    }

    public override bool IsIdle
    {
        get
        {
            _limiter.TryReplenish();
            return _limiter.GetStatistics()?.CurrentAvailablePermits >= Limit.EffectiveBurst;
        }
    }

    public override ValueTask<DateTimeOffset?> TryTakeAsync(int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _limiter.TryReplenish();
        using var lease = _limiter.AttemptAcquire(Math.Min(count, Limit.EffectiveBurst));
        if (lease.IsAcquired)
        {
            return new((DateTimeOffset?)null);
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Limit.Interval;
        return new(now + (retryAfter > Limit.Interval ? retryAfter : Limit.Interval));
    }

    public void Dispose() => _limiter.Dispose();
}
