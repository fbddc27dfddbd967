namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    private static readonly LogKeyComparer<string> OldestFirst = new(StringComparer.Ordinal, newestFirst: false);
    private static readonly LogKeyComparer<string> NewestFirst = new(StringComparer.Ordinal, newestFirst: true);

    private readonly Dictionary<string, MessageEntry> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<(TenantKey Tenant, string Key), string> _messageIdsByIdempotencyKey = [];

    // Messages whose deliveries are all completed, oldest first: the ones retention may drop.
    private readonly SortedSet<LogKey<string>> _completedMessages = new(OldestFirst);

    private readonly Dictionary<string, DeliveryEntry> _deliveries = new(StringComparer.Ordinal);
    private readonly SortedSet<LogKey<string>> _deliveryLog = new(NewestFirst);
    private int _pendingDeliveries;

    public Task<WebhookMessage> AddMessageAsync(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        StoreArguments.CheckDeliveriesOf(message, deliveries);

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (message.IdempotencyKey is { } key
                && _messageIdsByIdempotencyKey.TryGetValue((new TenantKey(message.TenantId), key), out string? existingId))
            {
                return Task.FromResult(_messages[existingId].Message);
            }

            if (_messages.ContainsKey(message.Id))
            {
                throw new InvalidOperationException($"A message with the id '{message.Id}' already exists; nothing was stored.");
            }

            CheckNewDeliveries(deliveries, "publishing");

            // Nothing can fail from here on: the message and its deliveries are stored together or not at all.
            var entry = new MessageEntry(message, deliveries.Count);
            _messages.Add(message.Id, entry);
            if (message.IdempotencyKey is { } newKey)
            {
                _messageIdsByIdempotencyKey.Add((new TenantKey(message.TenantId), newKey), message.Id);
            }

            bool queued = false;
            foreach (var delivery in deliveries)
            {
                queued |= StoreDelivery(entry, delivery);
            }

            if (entry.PendingDeliveries == 0)
            {
                _completedMessages.Add(entry.RetentionKey);
            }

            if (queued)
            {
                SignalWork();
            }

            TrimMessages();
            return Task.FromResult(message);
        }
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
            foreach (var delivery in deliveries)
            {
                var message = _messages[delivery.MessageId];
                bool wasCompleted = message.PendingDeliveries == 0;
                queued |= StoreDelivery(message, delivery);
                if (wasCompleted && message.PendingDeliveries > 0)
                {
                    _completedMessages.Remove(message.RetentionKey);
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
            return Task.FromResult(_deliveries.GetValueOrDefault(id)?.Delivery);
        }
    }

    public Task<WebhookPage<WebhookDelivery>> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        LogKey<string>? after = query.Cursor is { } cursor && PageCursor.Decode(cursor, nameof(query)) is var (ticks, id) ? new LogKey<string>(ticks, id) : null;
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // A message's deliveries are few: sort them rather than scanning the whole log.
            IEnumerable<LogKey<string>> keys = _deliveryLog;
            if (query.MessageId is { } messageId)
            {
                keys = _messages.TryGetValue(messageId, out var message)
                    ? message.DeliveryIds.Select(id => _deliveries[id].LogKey).Order(NewestFirst).ToList()
                    : [];
            }

            var page = ReadPage(
                keys,
                NewestFirst,
                after,
                query.Since,
                query.Until,
                query.Limit,
                key => _deliveries[key.Id].Delivery,
                delivery => Matches(query, delivery),
                key => PageCursor.Encode(key.Ticks, key.Id));
            return Task.FromResult(page);
        }
    }

    private static bool Matches(DeliveryQuery query, WebhookDelivery delivery) =>
        (query.SubscriptionId is null || string.Equals(delivery.SubscriptionId, query.SubscriptionId, StringComparison.Ordinal))
        && (query.MessageId is null || string.Equals(delivery.MessageId, query.MessageId, StringComparison.Ordinal))
        && (query.TenantId is null || string.Equals(delivery.TenantId, query.TenantId, StringComparison.Ordinal))
        && (query.Status is null || delivery.Status == query.Status);

    /// <summary>Refuses new deliveries that reuse an id or would pass the cap on pending deliveries.</summary>
    private void CheckNewDeliveries(IReadOnlyList<WebhookDelivery> deliveries, string action)
    {
        var ids = new HashSet<string>(deliveries.Count, StringComparer.Ordinal);
        int pending = 0;
        foreach (var delivery in deliveries)
        {
            if (_deliveries.ContainsKey(delivery.Id) || !ids.Add(delivery.Id))
            {
                throw new InvalidOperationException($"A delivery with the id '{delivery.Id}' already exists; nothing was stored.");
            }

            if (!delivery.IsCompleted)
            {
                pending++;
            }
        }

        if (pending > 0 && (long)_pendingDeliveries + pending > _maxPendingDeliveries)
        {
            throw new WebhookCapacityExceededException(
                $"The in-memory store holds {_pendingDeliveries} pending deliveries and its limit is {_maxPendingDeliveries} " +
                $"(InMemoryStoreOptions.MaxPendingDeliveries); {action} {pending} more was refused and nothing was stored. " +
                "Slow down publishing, raise the limit, or use a durable store.");
        }
    }

    /// <summary>Stores one new delivery of <paramref name="message"/>; returns whether it entered the queue.</summary>
    private bool StoreDelivery(MessageEntry message, WebhookDelivery delivery)
    {
        var entry = new DeliveryEntry(delivery);
        _deliveries.Add(delivery.Id, entry);
        _deliveryLog.Add(entry.LogKey);
        message.DeliveryIds.Add(delivery.Id);
        if (delivery.IsCompleted)
        {
            return false;
        }

        message.PendingDeliveries++;
        _pendingDeliveries++;
        Enqueue(entry, delivery.DueAt);
        IndexBatch(entry);
        return true;
    }

    /// <summary>Books a delivery that just reached Succeeded or Failed, then applies message retention.</summary>
    private void OnDeliveryCompleted(DeliveryEntry delivery)
    {
        _pendingDeliveries--;
        var message = _messages[delivery.MessageId];
        if (--message.PendingDeliveries == 0)
        {
            _completedMessages.Add(message.RetentionKey);
            TrimMessages();
        }
    }

    /// <summary>Drops the oldest completed messages, with their deliveries, while more than the limit are kept.</summary>
    private void TrimMessages()
    {
        while (_messages.Count > _maxRetainedMessages && _completedMessages.Count > 0)
        {
            var oldest = _completedMessages.Min;
            _completedMessages.Remove(oldest);
            _messages.Remove(oldest.Id, out var message);
            var stored = message!.Message;
            if (stored.IdempotencyKey is { } key)
            {
                var idempotencyKey = (new TenantKey(stored.TenantId), key);
                if (_messageIdsByIdempotencyKey.TryGetValue(idempotencyKey, out string? id) && string.Equals(id, stored.Id, StringComparison.Ordinal))
                {
                    _messageIdsByIdempotencyKey.Remove(idempotencyKey);
                }
            }

            // Queue entries of these deliveries go stale: they are skipped once popped.
            foreach (string deliveryId in message.DeliveryIds)
            {
                if (_deliveries.Remove(deliveryId, out var delivery))
                {
                    _deliveryLog.Remove(delivery.LogKey);
                }
            }
        }
    }

    private sealed class MessageEntry(WebhookMessage message, int deliveryCount)
    {
        public WebhookMessage Message { get; } = message;

        public LogKey<string> RetentionKey { get; } = new(message.CreatedAt.UtcTicks, message.Id);

        // Sized for the deliveries stored with the message; redeliveries are rare and may grow it.
        public List<string> DeliveryIds { get; } = new(deliveryCount);

        public int PendingDeliveries { get; set; }
    }

    private sealed class DeliveryEntry(WebhookDelivery delivery)
    {
        /// <summary>The current state; replaced (never mutated) on every change.</summary>
        public WebhookDelivery Delivery { get; set; } = delivery;

        /// <summary>The message as first stored, for bookkeeping that must not follow a caller's edits.</summary>
        public string MessageId { get; } = delivery.MessageId;

        /// <summary>The position in the delivery log, fixed when stored.</summary>
        public LogKey<string> LogKey { get; } = new(delivery.CreatedAt.UtcTicks, delivery.Id);

        /// <summary>Bumped on every state change; queue entries carrying an older version are stale.</summary>
        public long Version { get; set; }

        /// <summary>The lease the delivery is held under, or <see langword="null"/> when not leased.</summary>
        public string? LeaseId { get; set; }

        /// <summary>When the current lease lapses.</summary>
        public DateTimeOffset LeaseExpiresAt { get; set; }
    }
}
