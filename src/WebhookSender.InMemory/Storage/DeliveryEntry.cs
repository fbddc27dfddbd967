namespace WebhookSender.InMemory;

/// <summary>
/// A stored delivery. One published to a subscription that does not batch is kept compact until it first changes (it is
/// Queued, due when created, and everything else comes from its message), so a publish with a large fan-out stores no
/// record per delivery. Reading it makes one; records are immutable, so callers cannot change what is stored.
/// </summary>
internal sealed class DeliveryEntry
{
    private readonly string? _subscriptionId;
    private WebhookDelivery? _delivery;

    /// <summary>A compact entry: Queued, scheduled, not batched, due when created.</summary>
    public DeliveryEntry(MessageEntry message, DeliveryKey key, string subscriptionId, DateTimeOffset createdAt)
    {
        Message = message;
        Key = key;
        CreatedTicks = createdAt.UtcTicks;
        _subscriptionId = subscriptionId;
    }

    /// <summary>An entry for a delivery given as a record.</summary>
    public DeliveryEntry(MessageEntry message, WebhookDelivery delivery)
    {
        Message = message;
        Key = DeliveryKey.From(delivery.Id);
        CreatedTicks = delivery.CreatedAt.UtcTicks;
        _delivery = delivery;
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

    /// <summary>The current state; replaced (never mutated) on every change. Reading a compact entry makes a record.</summary>
    public WebhookDelivery Delivery
    {
        get => _delivery ?? Expand();
        set => _delivery = value;
    }

    public bool IsCompleted => _delivery is { IsCompleted: true };

    /// <summary>When the next attempt is due (while Queued).</summary>
    public DateTimeOffset DueAt => _delivery?.DueAt ?? new DateTimeOffset(CreatedTicks, TimeSpan.Zero);

    public string? BatchKey => _delivery?.BatchKey;

    /// <summary>The message id as the current state has it (bookkeeping uses <see cref="MessageId"/>).</summary>
    public string CurrentMessageId => _delivery?.MessageId ?? Message.Id;

    public DeliveryStatus Status => _delivery?.Status ?? DeliveryStatus.Queued;

    public string SubscriptionId => _delivery is { } delivery ? delivery.SubscriptionId : _subscriptionId!;

    public string? TenantId => _delivery is { } delivery ? delivery.TenantId : Message.Message.TenantId;

    /// <summary>Bumped on every state change; queue entries carrying an older version are stale.</summary>
    public long Version { get; set; }

    /// <summary>The lease the delivery is held under, or <see langword="null"/> when not leased.</summary>
    public string? LeaseId { get; set; }

    /// <summary>When the current lease lapses.</summary>
    public DateTimeOffset LeaseExpiresAt { get; set; }

    private WebhookDelivery Expand()
    {
        var createdAt = new DateTimeOffset(CreatedTicks, TimeSpan.Zero);
        return new WebhookDelivery
        {
            Id = Key.ToString(),
            MessageId = Message.Id,
            SubscriptionId = _subscriptionId!,
            TenantId = Message.Message.TenantId,
            EventType = Message.Message.EventType,
            DueAt = createdAt,
            CreatedAt = createdAt,
        };
    }
}
