namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_deliveries</c>: a delivery and its state; while it is on its way, its place in the queue is a
/// <see cref="QueueRow"/>. Times are UTC ticks, so ordering is exact on every provider (SQLite cannot order
/// <see cref="DateTimeOffset"/> values).
/// </summary>
internal sealed class DeliveryRow
{
    public required string Id { get; set; }

    public required string MessageId { get; set; }

    public required string SubscriptionId { get; set; }

    public string? TenantId { get; set; }

    public required string EventType { get; set; }

    public int Trigger { get; set; }

    public int Status { get; set; }

    public int AttemptCount { get; set; }

    public long DueAt { get; set; }

    public long CreatedAt { get; set; }

    public long? LastAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    public long? CompletedAt { get; set; }

    /// <summary>The batch the delivery travels in (subscriptions with batching), or <see langword="null"/>.</summary>
    public string? BatchKey { get; set; }

    /// <summary>The ordered line the delivery waits in (its subscription's id), or <see langword="null"/>.</summary>
    public string? OrderKey { get; set; }

    /// <summary>Why the delivery last went back to the queue without an attempt, or <see langword="null"/>.</summary>
    public string? HoldReason { get; set; }
}
