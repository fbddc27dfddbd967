namespace WebhookSender;

/// <summary>One subscription's rate limit as this process applies it (see <see cref="EndpointRateLimits"/>).</summary>
internal abstract class RateBucket(WebhookRateLimit limit)
{
    private readonly Lock _spreading = new();
    private DateTimeOffset _lastDeferredTo;

    /// <summary>The limit the bucket was made for: a changed limit gets a new bucket.</summary>
    public WebhookRateLimit Limit { get; } = limit;

    /// <summary>Whether the bucket is as a new one would be (full, or holding nothing of the shared bucket): dropping it loses nothing.</summary>
    public abstract bool IsIdle { get; }

    /// <summary>Takes <paramref name="count"/> permits; <see langword="null"/> when taken, else when to try again.</summary>
    public abstract ValueTask<DateTimeOffset?> TryTakeAsync(int count, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// When a delivery refused at <paramref name="retryAt"/> is due again: then, or one permit after the one deferred
    /// before it, whichever is later; deferred together, a backlog would come back together and be deferred again.
    /// </summary>
    public DateTimeOffset Spread(DateTimeOffset retryAt)
    {
        lock (_spreading)
        {
            var next = _lastDeferredTo + Limit.Interval;
            return _lastDeferredTo = next > retryAt ? next : retryAt;
        }
    }
}
