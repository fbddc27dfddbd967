namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_deliveries</c>: a delivery and its place in the queue. Times are UTC ticks, so ordering is exact
/// on every provider (SQLite cannot order <see cref="DateTimeOffset"/> values).
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

    /// <summary>The token of the current lease; completing or rescheduling must present it.</summary>
    public string? LeaseId { get; set; }

    /// <summary>Which instance holds the lease (for operators: who is sending what).</summary>
    public string? LeaseOwner { get; set; }

    public long? LeaseExpiresAt { get; set; }

    /// <summary>
    /// When the queue may hand the delivery out: its due time while Queued, its lease expiry while Dispatched,
    /// <see langword="null"/> once completed. One indexed column makes leasing a single range scan.
    /// </summary>
    public long? AvailableAt { get; set; }
}
