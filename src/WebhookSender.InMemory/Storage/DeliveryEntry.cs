namespace WebhookSender.InMemory;

/// <summary>
/// A stored delivery, kept compact: the fields that differ from delivery to delivery (status, attempts, times) are held
/// here and the rest comes from the message and the key, so a publish with a large fan-out stores no record per
/// delivery, and neither does a finished delivery while the message is retained. Reading it makes a record; records are
/// immutable, so callers cannot change what is stored. Only a delivery that the compact form cannot hold (a batched one,
/// say) keeps its record.
/// </summary>
internal sealed class DeliveryEntry
{
    // The compact state (used while _delivery is null), packed: every published delivery has one. Times are UTC ticks;
    // 0 stands for no time (a delivery with a time of exactly 0001-01-01 00:00 keeps its record), -1 for no status code.
    private const short NoStatusCode = -1;
    private string _subscriptionId;
    private byte _status = (byte)DeliveryStatus.Queued;
    private byte _trigger = (byte)AttemptTrigger.Scheduled;
    private short _lastStatusCode = NoStatusCode;
    private int _attemptCount;
    private long _dueTicks;
    private long _lastAttemptTicks;
    private long _completedTicks;
    private long _leaseExpiresTicks;
    private WebhookDelivery? _delivery;

    /// <summary>A compact entry: Queued, scheduled, not batched, due when created.</summary>
    public DeliveryEntry(MessageEntry message, DeliveryKey key, string subscriptionId, DateTimeOffset createdAt)
    {
        Message = message;
        Key = key;
        CreatedTicks = createdAt.UtcTicks;
        _subscriptionId = subscriptionId;
        _dueTicks = CreatedTicks;
    }

    /// <summary>An entry for a delivery given as a record.</summary>
    public DeliveryEntry(MessageEntry message, WebhookDelivery delivery)
    {
        Message = message;
        Key = DeliveryKey.From(delivery.Id);
        CreatedTicks = delivery.CreatedAt.UtcTicks;
        _subscriptionId = delivery.SubscriptionId;
        Delivery = delivery;
    }

    /// <summary>The id, fixed when stored.</summary>
    public DeliveryKey Key { get; }

    /// <summary>The message as first stored, for bookkeeping that must not follow a caller's edits.</summary>
    public MessageEntry Message { get; }

    public string MessageId => Message.Id;

    /// <summary>The creation time in UTC ticks, fixed when stored: with <see cref="Key"/>, the place in the delivery log.</summary>
    public long CreatedTicks { get; }

    /// <summary>The position in the delivery log as time and id string (the string is made for compact entries).</summary>
    public LogKey<string> LogKey => new(CreatedTicks, _delivery?.Id ?? Key.ToString());

    /// <summary>
    /// The current state; replaced (never mutated) on every change. Reading a compact entry makes a record; a record set
    /// here is kept only when the compact state cannot hold it.
    /// </summary>
    public WebhookDelivery Delivery
    {
        get => _delivery ?? Expand();
        set
        {
            if (!FitsCompact(value))
            {
                _delivery = value;
                return;
            }

            _delivery = null;
            _subscriptionId = value.SubscriptionId;
            _status = (byte)value.Status;
            _trigger = (byte)value.Trigger;
            _attemptCount = value.AttemptCount;
            _lastStatusCode = (short)(value.LastStatusCode ?? NoStatusCode);
            _dueTicks = value.DueAt.UtcTicks;
            _lastAttemptTicks = value.LastAttemptAt?.UtcTicks ?? 0;
            _completedTicks = value.CompletedAt?.UtcTicks ?? 0;
        }
    }

    public bool IsCompleted => Status is DeliveryStatus.Succeeded or DeliveryStatus.Failed;

    /// <summary>When the next attempt is due (while Queued).</summary>
    public DateTimeOffset DueAt => _delivery?.DueAt ?? Utc(_dueTicks);

    public string? BatchKey => _delivery?.BatchKey;

    /// <summary>The ordered line the delivery waits in, if any (ordered deliveries keep their record).</summary>
    public string? OrderKey => _delivery?.OrderKey;

    /// <summary>The message id as the current state has it (bookkeeping uses <see cref="MessageId"/>).</summary>
    public string CurrentMessageId => _delivery?.MessageId ?? Message.Id;

    public DeliveryStatus Status => _delivery?.Status ?? (DeliveryStatus)_status;

    public string SubscriptionId => _delivery?.SubscriptionId ?? _subscriptionId;

    public string? TenantId => _delivery is { } delivery ? delivery.TenantId : Message.Message.TenantId;

    /// <summary>Bumped on every state change; queue entries carrying an older version are stale.</summary>
    public long Version { get; set; }

    /// <summary>The lease the delivery is held under, or <see langword="null"/> when not leased.</summary>
    public string? LeaseId { get; set; }

    /// <summary>When the current lease lapses.</summary>
    public DateTimeOffset LeaseExpiresAt
    {
        get => Utc(_leaseExpiresTicks);
        set => _leaseExpiresTicks = value.UtcTicks;
    }

    /// <summary>Moves the delivery to Dispatched and returns its new record (a compact entry makes one record, not two).</summary>
    public WebhookDelivery Dispatch()
    {
        if (_delivery is null)
        {
            _status = (byte)DeliveryStatus.Dispatched;
            return Expand();
        }

        return _delivery = _delivery with { Status = DeliveryStatus.Dispatched };
    }

    /// <summary>
    /// Whether <see cref="Expand"/> would give back exactly <paramref name="delivery"/>: everything the compact state does
    /// not hold is what the message and the key say, and every time is in UTC.
    /// </summary>
    private bool FitsCompact(WebhookDelivery delivery) =>
        delivery.BatchKey is null
        && delivery.HoldReason is null
        && delivery.OrderKey is null
        && string.Equals(delivery.MessageId, Message.Id, StringComparison.Ordinal)
        && string.Equals(delivery.EventType, Message.Message.EventType, StringComparison.Ordinal)
        && string.Equals(delivery.TenantId, Message.Message.TenantId, StringComparison.Ordinal)
        && delivery.CreatedAt.UtcTicks == CreatedTicks && delivery.CreatedAt.Offset == TimeSpan.Zero
        && delivery.DueAt.Offset == TimeSpan.Zero
        && delivery.LastAttemptAt is null or { Offset.Ticks: 0, UtcTicks: not 0 }
        && delivery.CompletedAt is null or { Offset.Ticks: 0, UtcTicks: not 0 }
        && (uint)delivery.Status <= byte.MaxValue && (uint)delivery.Trigger <= byte.MaxValue
        && delivery.LastStatusCode is null or (>= 0 and <= short.MaxValue)
        && Key.Equals(DeliveryKey.From(delivery.Id));

    private WebhookDelivery Expand() => new()
    {
        Id = Key.ToString(),
        MessageId = Message.Id,
        SubscriptionId = _subscriptionId,
        TenantId = Message.Message.TenantId,
        EventType = Message.Message.EventType,
        Trigger = (AttemptTrigger)_trigger,
        Status = (DeliveryStatus)_status,
        AttemptCount = _attemptCount,
        DueAt = Utc(_dueTicks),
        CreatedAt = Utc(CreatedTicks),
        LastAttemptAt = _lastAttemptTicks == 0 ? null : Utc(_lastAttemptTicks),
        LastStatusCode = _lastStatusCode == NoStatusCode ? null : _lastStatusCode,
        CompletedAt = _completedTicks == 0 ? null : Utc(_completedTicks),
    };

    private static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);
}
