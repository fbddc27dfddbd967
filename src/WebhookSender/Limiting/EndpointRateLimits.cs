using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>
/// Applies each subscription's rate limit (<see cref="WebhookDeliveryControls.RateLimit"/>, else
/// <see cref="WebhookEndpointOptions.RateLimit"/>) before an attempt: counted in this process, or, when the store keeps
/// limits (<see cref="IDeliveryLimitStore"/>), shared by every instance on it. A delivery over the limit is deferred, not
/// failed; the deferred ones of one endpoint are spread one permit apart, so a backlog comes back at the limit's pace.
/// </summary>
internal sealed class EndpointRateLimits(
    IEnumerable<IDeliveryLimitStore> limitStores, IOptions<WebhookOptions> options, ILogger<EndpointRateLimits> logger) : IDisposable
{
    // Past this many buckets, idle ones are dropped: an idle bucket is full, as a new one would be.
    private const int MaxBuckets = 100_000;
    private static readonly TimeSpan StoreErrorDelay = TimeSpan.FromSeconds(1);

    private readonly IDeliveryLimitStore? _store = limitStores.FirstOrDefault();
    private readonly ConcurrentDictionary<string, RateBucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>The limit in effect for <paramref name="subscription"/>, or <see langword="null"/>.</summary>
    public WebhookRateLimit? LimitOf(WebhookSubscription subscription) => subscription.Controls?.RateLimit ?? options.Value.Endpoints.RateLimit;

    /// <summary>Takes a permit for one request; <see langword="null"/> when it may go now, else when it is due again.</summary>
    public async ValueTask<DateTimeOffset?> TryTakeAsync(WebhookSubscription subscription, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (LimitOf(subscription) is not { } limit)
        {
            return null;
        }

        var bucket = BucketFor(subscription.Id, limit);
        try
        {
            return await bucket.TryTakeAsync(1, now, cancellationToken).ConfigureAwait(false) is { } retryAt ? bucket.Spread(retryAt) : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The limit is not known to hold: nothing is sent over it, the delivery waits a moment instead.
            Log.LimitStoreError(logger, ex, subscription.Id);
            return now + StoreErrorDelay;
        }
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values.OfType<IDisposable>())
        {
            bucket.Dispose();
        }
    }

    private RateBucket BucketFor(string subscriptionId, WebhookRateLimit limit)
    {
        if (_buckets.TryGetValue(subscriptionId, out var bucket) && bucket.Limit == limit)
        {
            return bucket;
        }

        if (_buckets.Count >= MaxBuckets)
        {
            TrimIdle();
        }

        RateBucket made = _store is null ? new LocalRateBucket(limit) : new SharedRateBucket(limit, $"rate:{subscriptionId}", _store);
        var stored = _buckets.AddOrUpdate(subscriptionId, made, (_, current) => current.Limit == limit ? current : made);
        if (!ReferenceEquals(stored, made))
        {
            (made as IDisposable)?.Dispose();
        }

        return stored;
    }

    private void TrimIdle()
    {
        foreach (var (id, bucket) in _buckets)
        {
            if (bucket.IsIdle && _buckets.TryRemove(new KeyValuePair<string, RateBucket>(id, bucket)))
            {
                (bucket as IDisposable)?.Dispose();
            }
        }
    }
}
