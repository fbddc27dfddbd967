using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Reads of subscriptions kept for <see cref="WebhookOptions.SubscriptionCacheDuration"/>: by id for the dispatcher, so
/// that the deliveries to one endpoint do not read the store one by one, and by event type and tenant for the publisher,
/// so that publishing does not search the store every time. Changes made through this process
/// (<see cref="IWebhookSubscriptions"/>, health) take effect at once; another instance's changes within that duration.
/// </summary>
internal sealed class SubscriptionCache(IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    // Past this many entries the cache starts over rather than grow: subscriptions are few next to deliveries.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string EventType, string? TenantId), Matches> _matches = new();

    public async ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken)
    {
        long now = timeProvider.GetTimestamp();
        if (_entries.TryGetValue(id, out var entry) && now < entry.ExpiresAt)
        {
            return entry.Subscription;
        }

        var subscription = await store.GetSubscriptionAsync(id, cancellationToken).ConfigureAwait(false);
        if (subscription is not null && ExpiryFrom(now) is { } expiresAt)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[id] = new Entry(subscription, expiresAt);
        }

        return subscription;
    }

    /// <summary>The active subscriptions of the tenant that take the event type (see <see cref="IWebhookStore.FindSubscriptionsAsync"/>).</summary>
    public async ValueTask<IReadOnlyList<WebhookSubscription>> FindAsync(string eventType, string? tenantId, CancellationToken cancellationToken)
    {
        long now = timeProvider.GetTimestamp();
        var key = (eventType, tenantId);
        if (_matches.TryGetValue(key, out var cached) && now < cached.ExpiresAt)
        {
            return cached.Subscriptions;
        }

        var found = await store.FindSubscriptionsAsync(eventType, tenantId, cancellationToken).ConfigureAwait(false);
        if (ExpiryFrom(now) is { } expiresAt)
        {
            if (_matches.Count >= MaxEntries)
            {
                _matches.Clear();
            }

            _matches[key] = new Matches(found, expiresAt);
        }

        return found;
    }

    /// <summary>
    /// Forgets a subscription this process created, changed or deleted, so that the next delivery reads it anew and the
    /// next publish matches anew.
    /// </summary>
    public void Invalidate(string id)
    {
        _entries.TryRemove(id, out _);
        _matches.Clear();
    }

    // Counted from before the read: no entry outlives the duration, even one read while a change was being made.
    private long? ExpiryFrom(long readStartedAt)
    {
        var duration = options.Value.SubscriptionCacheDuration;
        return duration > TimeSpan.Zero ? readStartedAt + (long)(duration.TotalSeconds * timeProvider.TimestampFrequency) : null;
    }

    private sealed record Entry(WebhookSubscription Subscription, long ExpiresAt);

    private sealed record Matches(IReadOnlyList<WebhookSubscription> Subscriptions, long ExpiresAt);
}
