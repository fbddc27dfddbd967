using WebhookSender.Storage;

namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    private static readonly LogKeyComparer<string> OldestFirst = new(StringComparer.Ordinal, newestFirst: false);
    private static readonly LogKeyComparer<DeliveryKey> DeliveriesNewestFirst = new(Comparer<DeliveryKey>.Default, newestFirst: true);

    private readonly Dictionary<string, MessageEntry> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<(TenantKey Tenant, string Key), string> _messageIdsByIdempotencyKey = [];

    // Messages whose deliveries are all completed, oldest first: the ones retention may drop.
    private readonly SortedSet<LogKey<string>> _completedMessages = new(OldestFirst);

    private readonly Dictionary<DeliveryKey, DeliveryEntry> _deliveries = [];
    private readonly DeliveryLog _deliveryLog = new();
    private int _pendingDeliveries;

    // The bytes of the messages kept, and of those among them retention may drop (all deliveries completed).
    private long _payloadBytes;
    private long _completedBytes;

    public Task<WebhookMessage> AddMessageAsync(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        var published = PublishedBy(message, deliveries);
        if (published is null)
        {
            StoreArguments.CheckDeliveriesOf(message, deliveries);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return _publishes.Add(new PendingPublish(message, deliveries, published, leaseDuration: null));
    }

    public async Task<StoredMessage> AddMessageAndLeaseAsync(
        WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var published = PublishedBy(message, deliveries);
        if (published is null)
        {
            StoreArguments.CheckLeasedOnAdd(message, deliveries, leaseDuration);
        }
        else
        {
            // Only the batch check applies to the publisher's own list; it is made without reading the deliveries as records.
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
            for (int i = 0; i < published.Count; i++)
            {
                if (published.IsBatched(i) || published.IsOrdered(i) || published.IsUnread(i))
                {
                    StoreArguments.CheckLeasedOnAdd(published[i]);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var publish = new PendingPublish(message, deliveries, published, leaseDuration);
        var stored = await _publishes.Add(publish).ConfigureAwait(false);
        return new StoredMessage(stored, publish.Leases ?? []);
    }

    /// <summary>The publisher's own list, made for this message with distinct ids (read as records, it would make them all).</summary>
    private static PublishedDeliveries? PublishedBy(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries) =>
        deliveries is PublishedDeliveries own && ReferenceEquals(own.Message, message) ? own : null;

    /// <summary>Under the lock: stores one message with its deliveries, or returns the earlier one with its idempotency key.</summary>
    private WebhookMessage AddMessage(PendingPublish publish)
    {
        var (message, deliveries, published) = (publish.Message, publish.Deliveries, publish.Published);
        if (message.IdempotencyKey is { } key
            && _messageIdsByIdempotencyKey.TryGetValue((new TenantKey(message.TenantId), key), out string? existingId))
        {
            return _messages[existingId].Message;
        }

        if (_messages.ContainsKey(message.Id))
        {
            throw new InvalidOperationException($"A message with the id '{message.Id}' already exists; nothing was stored.");
        }

        if (published is null)
        {
            CheckNewDeliveries(deliveries, "publishing");
        }
        else
        {
            CheckNewDeliveries(published);
        }

        var entry = new MessageEntry(message);
        CheckPayloadCapacity(entry);

        // Nothing can fail from here on: the message and its deliveries are stored together or not at all.
        _messages.Add(message.Id, entry);
        _payloadBytes += entry.Bytes;
        if (message.IdempotencyKey is { } newKey)
        {
            _messageIdsByIdempotencyKey.Add((new TenantKey(message.TenantId), newKey), message.Id);
        }

        var entries = published is null ? NewEntries(entry, deliveries) : NewEntries(entry, published);
        bool leased = publish.LeaseDuration is not null;
        bool queued = StoreDeliveries(entry, entries, queue: !leased);
        if (entry.PendingDeliveries == 0)
        {
            MarkCompleted(entry);
        }

        if (publish.LeaseDuration is { } leaseDuration)
        {
            // Leased to the publisher's dispatcher as they are stored: queued only at lease expiry, and nobody is woken.
            var expiresAt = _timeProvider.GetUtcNow() + leaseDuration;
            publish.Leases = Array.ConvertAll(entries, e => Lease(e, expiresAt));
        }
        else if (queued)
        {
            SignalWork();
        }

        TrimMessages();
        return message;
    }

    public Task<WebhookMessage?> GetMessageAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_messages.GetValueOrDefault(id)?.Message);
        }
    }

    public Task AddDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        foreach (var delivery in deliveries)
        {
            ArgumentNullException.ThrowIfNull(delivery, nameof(deliveries));
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var delivery in deliveries)
            {
                if (!_messages.ContainsKey(delivery.MessageId))
                {
                    throw new KeyNotFoundException(
                        $"No stored message has the id '{delivery.MessageId}' (delivery '{delivery.Id}'); it may have been removed by retention. Nothing was stored.");
                }
            }

            CheckNewDeliveries(deliveries, "adding");

            bool queued = false;
            foreach (var group in deliveries.GroupBy(delivery => _messages[delivery.MessageId]))
            {
                var message = group.Key;
                bool wasCompleted = message.PendingDeliveries == 0;
                queued |= StoreDeliveries(message, [.. group.Select(delivery => new DeliveryEntry(message, delivery))]);
                if (wasCompleted && message.PendingDeliveries > 0)
                {
                    _completedMessages.Remove(message.RetentionKey);
                    _completedBytes -= message.Bytes;
                }
            }

            if (queued)
            {
                SignalWork();
            }
        }

        return Task.CompletedTask;
    }

    public Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_deliveries.GetValueOrDefault(DeliveryKey.From(id))?.Delivery);
        }
    }

    public Task<WebhookPage<WebhookDelivery>> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        LogKey<DeliveryKey>? after = query.Cursor is { } cursor && PageCursor.Decode(cursor, nameof(query)) is var (ticks, id)
            ? new LogKey<DeliveryKey>(ticks, DeliveryKey.From(id))
            : null;
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // A message's deliveries are few: sort them rather than scanning the whole log.
            IEnumerable<DeliveryEntry> entries = query.MessageId is not { } messageId ? _deliveryLog.NewestFirst()
                : _messages.TryGetValue(messageId, out var message) ? DeliveryLog.NewestFirst(message)
                : [];

            var page = ReadPage(
                entries.Select(entry => new LogKey<DeliveryKey>(entry.CreatedTicks, entry.Key)),
                DeliveriesNewestFirst,
                after,
                query.Since,
                query.Until,
                query.Limit,
                key => _deliveries[key.Id],
                entry => Matches(query, entry),
                key => PageCursor.Encode(key.Ticks, key.Id.ToString()));
            var items = new List<WebhookDelivery>(page.Items.Count);
            foreach (var entry in page.Items)
            {
                items.Add(entry.Delivery);
            }

            return Task.FromResult(new WebhookPage<WebhookDelivery>(items, page.NextCursor));
        }
    }

    private static bool Matches(DeliveryQuery query, DeliveryEntry entry) =>
        (query.SubscriptionId is null || string.Equals(entry.SubscriptionId, query.SubscriptionId, StringComparison.Ordinal))
        && (query.MessageId is null || string.Equals(entry.CurrentMessageId, query.MessageId, StringComparison.Ordinal))
        && (query.TenantId is null || string.Equals(entry.TenantId, query.TenantId, StringComparison.Ordinal))
        && (query.Status is null || entry.Status == query.Status);

    /// <summary>Refuses new deliveries that reuse an id or would pass the cap on pending deliveries.</summary>
    private void CheckNewDeliveries(IReadOnlyList<WebhookDelivery> deliveries, string action)
    {
        var ids = new HashSet<string>(deliveries.Count, StringComparer.Ordinal);
        int pending = 0;
        foreach (var delivery in deliveries)
        {
            if (_deliveries.ContainsKey(DeliveryKey.From(delivery.Id)) || !ids.Add(delivery.Id))
            {
                throw DuplicateDelivery(delivery.Id);
            }

            if (!delivery.IsCompleted)
            {
                pending++;
            }
        }

        CheckCapacity(pending, action);
    }

    /// <summary>Refuses published deliveries whose id is taken (their ids differ from each other) or that pass the cap.</summary>
    private void CheckNewDeliveries(PublishedDeliveries deliveries)
    {
        for (int i = 0; i < deliveries.Count; i++)
        {
            var key = new DeliveryKey(deliveries.IdAt(i));
            if (_deliveries.ContainsKey(key))
            {
                throw DuplicateDelivery(key.ToString());
            }
        }

        CheckCapacity(deliveries.Count, "publishing");
    }

    private void CheckCapacity(int pending, string action)
    {
        if (pending > 0 && (long)_pendingDeliveries + pending > _maxPendingDeliveries)
        {
            throw new WebhookCapacityExceededException(
                $"The in-memory store holds {_pendingDeliveries} pending deliveries and its limit is {_maxPendingDeliveries} " +
                $"(InMemoryStoreOptions.MaxPendingDeliveries); {action} {pending} more was refused and nothing was stored. " +
                "Slow down publishing, raise the limit, or use a durable store.");
        }
    }

    private static InvalidOperationException DuplicateDelivery(string id) => new($"A delivery with the id '{id}' already exists; nothing was stored.");

    private static DeliveryEntry[] NewEntries(MessageEntry message, IReadOnlyList<WebhookDelivery> deliveries)
    {
        var entries = new DeliveryEntry[deliveries.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new DeliveryEntry(message, deliveries[i]);
        }

        return entries;
    }

    /// <summary>Entries for published deliveries: compact, except those going in a batch, which are kept as records.</summary>
    private static DeliveryEntry[] NewEntries(MessageEntry message, PublishedDeliveries deliveries)
    {
        var entries = new DeliveryEntry[deliveries.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = deliveries.IsBatched(i) || deliveries.IsOrdered(i) || deliveries.IsUnread(i)
                ? new DeliveryEntry(message, deliveries[i])
                : new DeliveryEntry(message, new DeliveryKey(deliveries.IdAt(i)), deliveries.SubscriptionAt(i).Id, deliveries.CreatedAt);
        }

        return entries;
    }

    /// <summary>
    /// Stores new deliveries of <paramref name="message"/>, pending ones in the queue at their due time unless
    /// <paramref name="queue"/> is false (the caller leases them at once). Returns whether any is pending.
    /// </summary>
    private bool StoreDeliveries(MessageEntry message, DeliveryEntry[] entries, bool queue = true)
    {
        bool queued = false;
        foreach (var entry in entries)
        {
            _deliveries.Add(entry.Key, entry);
            if (entry.IsCompleted)
            {
                continue;
            }

            message.PendingDeliveries++;
            _pendingDeliveries++;
            if (entry.Status == DeliveryStatus.Unread)
            {
                AddToFeed(entry);
                continue;
            }

            if (JoinLine(entry) && queue)
            {
                Enqueue(entry, entry.DueAt);
            }

            if (entry.BatchKey is not null)
            {
                IndexBatch(entry);
            }

            queued = true;
        }

        _deliveryLog.Add(message, entries);
        return queued;
    }

    /// <summary>Books a delivery that just reached Succeeded or Failed, then applies message retention.</summary>
    private void OnDeliveryCompleted(DeliveryEntry delivery)
    {
        _pendingDeliveries--;
        LeaveLine(delivery);
        var message = delivery.Message;
        if (--message.PendingDeliveries == 0)
        {
            MarkCompleted(message);
            TrimMessages();
        }
    }

    private void MarkCompleted(MessageEntry message)
    {
        _completedMessages.Add(message.RetentionKey);
        _completedBytes += message.Bytes;
    }

    /// <summary>Refuses a message that would pass the byte bound even after every completed message were dropped.</summary>
    private void CheckPayloadCapacity(MessageEntry message)
    {
        long pendingBytes = _payloadBytes - _completedBytes;
        if (pendingBytes + message.Bytes > _maxPayloadBytes)
        {
            throw new WebhookCapacityExceededException(
                $"The in-memory store keeps {pendingBytes:N0} bytes of messages with pending deliveries and its limit is {_maxPayloadBytes:N0} " +
                $"(InMemoryStoreOptions.MaxRetainedPayloadBytes); a message of {message.Bytes:N0} bytes was refused and nothing was stored. " +
                "Publish smaller events (send an id and let the receiver fetch the rest), slow down publishing, raise the limit, or use a durable store.");
        }
    }

    /// <summary>Drops the oldest completed messages, with their deliveries, while more than the limits (count, bytes) are kept.</summary>
    private void TrimMessages()
    {
        while ((_messages.Count > _maxRetainedMessages || _payloadBytes > _maxPayloadBytes) && _completedMessages.Count > 0)
        {
            var oldest = _completedMessages.Min;
            _completedMessages.Remove(oldest);
            _messages.Remove(oldest.Id, out var message);
            _completedBytes -= message!.Bytes;
            _payloadBytes -= message.Bytes;
            var stored = message!.Message;
            if (stored.IdempotencyKey is { } key)
            {
                var idempotencyKey = (new TenantKey(stored.TenantId), key);
                if (_messageIdsByIdempotencyKey.TryGetValue(idempotencyKey, out string? id) && string.Equals(id, stored.Id, StringComparison.Ordinal))
                {
                    _messageIdsByIdempotencyKey.Remove(idempotencyKey);
                }
            }

            _deliveryLog.Remove(message);
            foreach (var run in message.Runs)
            {
                foreach (var delivery in run.Entries)
                {
                    _deliveries.Remove(delivery.Key);

                    // Queue entries hold the delivery itself: a new version makes any left behind stale.
                    delivery.Version++;
                }
            }
        }
    }
}
