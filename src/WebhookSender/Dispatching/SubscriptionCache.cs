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

    private readonly ConcurrentDictionary<string, Entry<WebhookSubscription?>> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string EventType, string? TenantId), Entry<IReadOnlyList<WebhookSubscription>>> _matches = new();

    // Reads in flight, one per key: when an entry expires under load, the attempts (or publishes) that find it stale share one.
    private readonly SharedReads<string, WebhookSubscription?> _entryReads = new(StringComparer.Ordinal);
    private readonly SharedReads<(string EventType, string? TenantId), IReadOnlyList<WebhookSubscription>> _matchReads = new();

    /// <summary>The subscription with its real secrets, or <see langword="null"/> (a missing one is not kept).</summary>
    public ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken) =>
        TryGetFresh(_entries, id, out var cached) ? new(cached)
            : ReadThroughAsync(_entries, _entryReads, id, () => store.GetSubscriptionAsync(id, CancellationToken.None), keep: s => s is not null, cancellationToken);

    /// <summary>The active subscriptions of the tenant that take the event type (see <see cref="IWebhookStore.FindSubscriptionsAsync"/>).</summary>
    public ValueTask<IReadOnlyList<WebhookSubscription>> FindAsync(string eventType, string? tenantId, CancellationToken cancellationToken) =>
        TryGetFresh(_matches, (eventType, tenantId), out var cached) ? new(cached)
            : ReadThroughAsync(_matches, _matchReads, (eventType, tenantId), () => store.FindSubscriptionsAsync(eventType, tenantId, CancellationToken.None), keep: _ => true, cancellationToken);

    /// <summary>
    /// Forgets a subscription this process created, changed or deleted, so that the next delivery reads it anew and,
    /// unless <paramref name="matching"/> is <see langword="false"/> (a change publishing cannot see, such as a failure
    /// streak), the next publish matches anew.
    /// </summary>
    public void Invalidate(string id, bool matching = true)
    {
        // A read in flight may have started before the change: later callers start their own.
        _entryReads.Forget(id);
        _entries.TryRemove(id, out _);
        if (matching)
        {
            _matchReads.Clear();
            _matches.Clear();
        }
    }

    // A hit is answered without the read's closure and state machine: the common case on the hot path.
    private bool TryGetFresh<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> cache, TKey key, out T value)
        where TKey : notnull
    {
        if (cache.TryGetValue(key, out var cached) && timeProvider.GetTimestamp() < cached.ExpiresAt)
        {
            value = cached.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Reads <paramref name="key"/> from the store, or joins the read of it in flight, and keeps the value (if <paramref name="keep"/>).</summary>
    private ValueTask<T> ReadThroughAsync<TKey, T>(
        ConcurrentDictionary<TKey, Entry<T>> cache, SharedReads<TKey, T> reads, TKey key, Func<Task<T>> read, Func<T, bool> keep, CancellationToken cancellationToken)
        where TKey : notnull => reads.ReadAsync(key, async () =>
        {
            long now = timeProvider.GetTimestamp();
            var value = await read().ConfigureAwait(false);
            var duration = options.Value.SubscriptionCacheDuration;
            if (keep(value) && duration > TimeSpan.Zero)
            {
                if (cache.Count >= MaxEntries)
                {
                    cache.Clear();
                }

                // Counted from before the read: no entry outlives the duration, even one read while a change was being made.
                cache[key] = new Entry<T>(value, now + (long)(duration.TotalSeconds * timeProvider.TimestampFrequency));
            }

            return value;
        }, cancellationToken);

    private sealed record Entry<T>(T Value, long ExpiresAt);
}
