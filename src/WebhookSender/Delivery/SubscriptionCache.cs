using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// The dispatcher's reads of subscriptions, kept for <see cref="WebhookOptions.SubscriptionCacheDuration"/> so that the
/// deliveries to one endpoint do not read the store one by one. Changes made through this process
/// (<see cref="IWebhookSubscriptions"/>, health) take effect at once; another instance's changes within that duration.
/// </summary>
internal sealed class SubscriptionCache(IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    // Past this many entries the cache starts over rather than grow: subscriptions are few next to deliveries.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken)
    {
        long now = timeProvider.GetTimestamp();
        if (_entries.TryGetValue(id, out var entry) && now < entry.ExpiresAt)
        {
            return entry.Subscription;
        }

        var subscription = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false);
        var duration = options.Value.SubscriptionCacheDuration;
        if (subscription is not null && duration > TimeSpan.Zero)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            // Counted from before the read: no entry outlives the duration, even one read while a change was being made.
            _entries[id] = new Entry(subscription, now + (long)(duration.TotalSeconds * timeProvider.TimestampFrequency));
        }

        return subscription;
    }

    /// <summary>Forgets a subscription this process changed or deleted, so the next delivery reads it anew.</summary>
    public void Invalidate(string id) => _entries.TryRemove(id, out _);

    private sealed record Entry(WebhookSubscription Subscription, long ExpiresAt);
}
