using Microsoft.Extensions.Options;
using WebhookSender.Storage;

namespace WebhookSender.InMemory;

/// <summary>
/// <see cref="IWebhookStore"/> and <see cref="IDeliveryQueue"/> in process memory, for development, tests and hosts that
/// accept losing pending webhooks on restart. One lock guards every change (a subscription is also read without it);
/// every operation under it is O(log n) in the number of stored items (listing pages scans from the newest item), and
/// every collection is bounded by <see cref="InMemoryStoreOptions"/>.
/// </summary>
/// <remarks>
/// Stored records are immutable, so they are handed out as they are; collections are always fresh lists. Published
/// deliveries are kept compact (<see cref="DeliveryEntry"/>) and made into records when read. The partial files hold the
/// subscriptions, the messages and deliveries, the attempt log and the queue.
/// </remarks>
internal sealed partial class InMemoryWebhookStore : IWebhookStore, IDeliveryQueue, IDeliveryBatchQueue
{
    private const int MaxPageSize = 1000;

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly int _maxPendingDeliveries;
    private readonly int _maxRetainedMessages;
    private readonly long _maxPayloadBytes;
    private readonly AttemptLog _attempts;
    private readonly TimeSpan? _unreadRetention;

    public InMemoryWebhookStore(TimeProvider timeProvider, IOptions<InMemoryStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(value.MaxPendingDeliveries, 1, "options.Value.MaxPendingDeliveries");
        ArgumentOutOfRangeException.ThrowIfLessThan(value.MaxRetainedMessages, 1, "options.Value.MaxRetainedMessages");
        ArgumentOutOfRangeException.ThrowIfLessThan(value.MaxAttempts, 1, "options.Value.MaxAttempts");
        ArgumentOutOfRangeException.ThrowIfLessThan(value.MaxRetainedPayloadBytes, 1024, "options.Value.MaxRetainedPayloadBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(value.MaxAttemptBytes, 1024, "options.Value.MaxAttemptBytes");
        _publishes = new PublishCombiner(this);

        _timeProvider = timeProvider;
        _maxPendingDeliveries = value.MaxPendingDeliveries;
        _maxRetainedMessages = value.MaxRetainedMessages;
        _maxPayloadBytes = value.MaxRetainedPayloadBytes;
        _attempts = new AttemptLog(value.MaxAttempts, value.MaxAttemptBytes);
        _unreadRetention = value.UnreadRetention is { } unread && unread <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException("options.Value.UnreadRetention", unread, "InMemoryStoreOptions.UnreadRetention must be positive, or null to keep unread pull messages until read.")
            : value.UnreadRetention;
    }

    private static int ClampLimit(int limit) => Math.Clamp(limit, 1, MaxPageSize);

    /// <summary>
    /// Reads one newest-first page from <paramref name="keys"/>: skips what lies before the cursor or at/after
    /// <paramref name="until"/>, stops before <paramref name="since"/>, filters, and takes one item more than the
    /// page to know whether another page follows.
    /// </summary>
    private static WebhookPage<TItem> ReadPage<TId, TItem>(
        IEnumerable<LogKey<TId>> keys,
        IComparer<LogKey<TId>> newestFirst,
        LogKey<TId>? after,
        DateTimeOffset? since,
        DateTimeOffset? until,
        int limit,
        Func<LogKey<TId>, TItem> resolve,
        Func<TItem, bool> filter,
        Func<LogKey<TId>, string> encodeCursor)
    {
        limit = ClampLimit(limit);
        long? sinceTicks = since?.UtcTicks;
        long? untilTicks = until?.UtcTicks;
        var items = new List<TItem>(Math.Min(limit, 64));
        LogKey<TId> last = default;
        foreach (var key in keys)
        {
            if ((after is { } cursor && newestFirst.Compare(key, cursor) <= 0) || key.Ticks >= untilTicks)
            {
                continue;
            }

            if (key.Ticks < sinceTicks)
            {
                break;
            }

            var item = resolve(key);
            if (!filter(item))
            {
                continue;
            }

            if (items.Count == limit)
            {
                return new WebhookPage<TItem>(items, encodeCursor(last));
            }

            items.Add(item);
            last = key;
        }

        return new WebhookPage<TItem>(items, null);
    }

    /// <summary>Adds <paramref name="id"/> to the set under <paramref name="key"/>, creating the set on first use.</summary>
    private static void AddToSet<TKey>(Dictionary<TKey, SortedSet<string>> sets, TKey key, string id)
        where TKey : notnull
    {
        if (!sets.TryGetValue(key, out var set))
        {
            set = new SortedSet<string>(StringComparer.Ordinal);
            sets.Add(key, set);
        }

        set.Add(id);
    }

    /// <summary>Removes <paramref name="id"/> from the set under <paramref name="key"/>, dropping the set once empty.</summary>
    private static void RemoveFromSet<TKey>(Dictionary<TKey, SortedSet<string>> sets, TKey key, string id)
        where TKey : notnull
    {
        if (sets.TryGetValue(key, out var set) && set.Remove(id) && set.Count == 0)
        {
            sets.Remove(key);
        }
    }

    /// <summary>A tenant as a dictionary key: <see langword="null"/> (no tenant) is a tenant of its own.</summary>
    private readonly record struct TenantKey(string? Id);
}
