using WebhookSender.Storage;

namespace WebhookSender.InMemory;

/// <summary>
/// Pull subscriptions' feeds: per subscription, its unread deliveries by the order they were stored. One lock makes the
/// order the publish order, so a position once passed is never handed out again. Unread deliveries count as pending
/// (<see cref="InMemoryStoreOptions.MaxPendingDeliveries"/>) and keep their messages until read.
/// </summary>
internal sealed partial class InMemoryWebhookStore : IWebhookFeedStore
{
    private readonly Dictionary<string, SortedDictionary<long, DeliveryEntry>> _feeds = new(StringComparer.Ordinal);
    private long _feedSequence;
    private long _nextUnreadSweep;

    public Task<IReadOnlyList<FeedEntry>> ReadFeedAsync(string subscriptionId, FeedPosition after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        cancellationToken.ThrowIfCancellationRequested();
        var entries = new List<FeedEntry>();
        lock (_gate)
        {
            ExpireUnread();
            if (_feeds.TryGetValue(subscriptionId, out var feed))
            {
                foreach (var (sequence, entry) in feed)
                {
                    if (sequence <= after.Sequence)
                    {
                        continue;
                    }

                    if (entries.Count == limit)
                    {
                        break;
                    }

                    entries.Add(new FeedEntry(new FeedPosition(0, sequence), entry.Delivery, entry.Message.Message));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<FeedEntry>>(entries);
    }

    public Task AcknowledgeAsync(string subscriptionId, FeedPosition upTo, IReadOnlyList<DeliveryAttempt> attempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        ArgumentNullException.ThrowIfNull(attempts);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_feeds.TryGetValue(subscriptionId, out var feed))
            {
                foreach (long sequence in feed.Keys.TakeWhile(s => s <= upTo.Sequence).ToList())
                {
                    var entry = feed[sequence];
                    feed.Remove(sequence);
                    entry.Delivery = entry.Delivery with { Status = DeliveryStatus.Succeeded, CompletedAt = now };
                    entry.Version++;
                    OnDeliveryCompleted(entry);
                }
            }

            foreach (var attempt in attempts)
            {
                _attempts.Add(attempt);
                if (attempt.DeliveryId is { } id && _deliveries.TryGetValue(DeliveryKey.From(id), out var taken))
                {
                    var delivery = taken.Delivery;
                    taken.Delivery = delivery with { AttemptCount = delivery.AttemptCount + 1, LastAttemptAt = attempt.StartedAt, LastStatusCode = 200 };
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> MoveDeliveriesAsync(string subscriptionId, bool toFeed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(toFeed ? MoveToFeed(subscriptionId) : MoveToQueue(subscriptionId, now));
        }
    }

    public Task<WebhookFeedBacklog> GetFeedBacklogAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ExpireUnread();
            return Task.FromResult(_feeds.TryGetValue(subscriptionId, out var feed) && feed.Count > 0
                ? new WebhookFeedBacklog(feed.Count, feed.First().Value.Delivery.CreatedAt)
                : new WebhookFeedBacklog(0, null));
        }
    }

    /// <summary>Under the lock: a new unread delivery takes the next place in its subscription's feed.</summary>
    private void AddToFeed(DeliveryEntry entry)
    {
        ExpireUnread();
        if (!_feeds.TryGetValue(entry.SubscriptionId, out var feed))
        {
            _feeds[entry.SubscriptionId] = feed = [];
        }

        feed.Add(++_feedSequence, entry);
    }

    /// <summary>
    /// Under the lock, at most once a second: with <see cref="InMemoryStoreOptions.UnreadRetention"/> set, unread
    /// deliveries older than it fail and leave their feeds (each feed is oldest first, so only its head is looked at).
    /// </summary>
    private void ExpireUnread()
    {
        var now = _timeProvider.GetUtcNow();
        if (_unreadRetention is not { } retention || now.UtcTicks < _nextUnreadSweep)
        {
            return;
        }

        _nextUnreadSweep = now.UtcTicks + TimeSpan.TicksPerSecond;
        long cutoff = (now - retention).UtcTicks;
        List<string>? emptied = null;
        foreach (var (subscriptionId, feed) in _feeds)
        {
            while (feed.Count > 0 && feed.First() is { Value.CreatedTicks: var created } head && created < cutoff)
            {
                feed.Remove(head.Key);
                Fail(head.Value, now);
            }

            if (feed.Count == 0)
            {
                (emptied ??= []).Add(subscriptionId);
            }
        }

        foreach (var subscriptionId in emptied ?? [])
        {
            _feeds.Remove(subscriptionId);
        }
    }

    /// <summary>Under the lock: an unread delivery nobody will read fails.</summary>
    private void Fail(DeliveryEntry entry, DateTimeOffset now)
    {
        entry.Delivery = entry.Delivery with { Status = DeliveryStatus.Failed, CompletedAt = now };
        entry.Version++;
        OnDeliveryCompleted(entry);
    }

    /// <summary>Under the lock: a deleted subscription's unread deliveries fail (nobody can read them any more).</summary>
    private void DropFeed(string subscriptionId, DateTimeOffset now)
    {
        if (!_feeds.Remove(subscriptionId, out var feed))
        {
            return;
        }

        foreach (var entry in feed.Values)
        {
            Fail(entry, now);
        }
    }

    private int MoveToFeed(string subscriptionId)
    {
        var moving = _deliveries.Values
            .Where(e => e.Status == DeliveryStatus.Queued && e.LeaseId is null && e.SubscriptionId == subscriptionId)
            .OrderBy(e => e.CreatedTicks)
            .ThenBy(e => e.Key)
            .ToList();
        foreach (var entry in moving)
        {
            UnindexBatch(entry);
            LeaveLine(entry);
            entry.Delivery = entry.Delivery with { Status = DeliveryStatus.Unread, BatchKey = null, OrderKey = null, HoldReason = null };
            entry.Version++; // its queue entry goes stale
            AddToFeed(entry);
        }

        return moving.Count;
    }

    private int MoveToQueue(string subscriptionId, DateTimeOffset now)
    {
        if (!_feeds.Remove(subscriptionId, out var feed))
        {
            return 0;
        }

        foreach (var entry in feed.Values)
        {
            entry.Delivery = entry.Delivery with { Status = DeliveryStatus.Queued, DueAt = now };
            Enqueue(entry, now);
        }

        SignalWork();
        return feed.Count;
    }
}
