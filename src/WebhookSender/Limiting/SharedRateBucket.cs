using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>
/// A rate limit shared by every instance on one store (<see cref="IDeliveryLimitStore"/>): the bucket lives in the store,
/// and this process takes a tenth of a second's worth of permits at a time, so a busy endpoint costs the store about ten
/// round trips a second per instance, not one per request. Permits not used within <see cref="PermitLifetime"/> are
/// dropped, never used late: the instances together never send more than the limit; an instance may leave up to one
/// chunk unused.
/// </summary>
internal sealed class SharedRateBucket(WebhookRateLimit limit, string key, IDeliveryLimitStore store) : RateBucket(limit)
{
    private static readonly TimeSpan ChunkSpan = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PermitLifetime = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly int _chunk = (int)Math.Clamp(Math.Ceiling(ChunkSpan / limit.Interval), 1, limit.EffectiveBurst);
    private int _permits;
    private DateTimeOffset _permitsExpireAt;
    private DateTimeOffset _nextFreeAt;

    public override bool IsIdle
    {
        get
        {
            lock (_lock)
            {
                return _permits == 0;
            }
        }
    }

    public override async ValueTask<DateTimeOffset?> TryTakeAsync(int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        count = Math.Min(count, Limit.EffectiveBurst);
        lock (_lock)
        {
            if (TryUse(count, now))
            {
                return null;
            }

            // The store said when the next permit is free: no need to ask before then.
            if (now < _nextFreeAt)
            {
                return _nextFreeAt;
            }
        }

        var taken = await store.TakeRatePermitsAsync(key, Math.Max(count, _chunk), Limit.Interval, Limit.EffectiveBurst, now, cancellationToken)
            .ConfigureAwait(false);
        lock (_lock)
        {
            if (now >= _permitsExpireAt)
            {
                _permits = 0;
            }

            _permits += taken.Granted;
            _permitsExpireAt = now + PermitLifetime;
            if (TryUse(count, now))
            {
                return null;
            }

            _nextFreeAt = taken.NextFreeAt(Limit.Interval, Limit.EffectiveBurst);
            return _nextFreeAt > now ? _nextFreeAt : now + Limit.Interval;
        }
    }

    private bool TryUse(int count, DateTimeOffset now)
    {
        if (_permits >= count && now < _permitsExpireAt)
        {
            _permits -= count;
            return true;
        }

        return false;
    }
}
