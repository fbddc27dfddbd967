namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_queue</c>: a delivery still on its way, and its place in the queue. It exists from publish until
/// the delivery finishes. The queue is kept apart from <c>webhook_deliveries</c> because its columns change on every
/// lease: on PostgreSQL an update that changes an indexed column writes a new entry into every index of the table, so
/// a lease and a lease end on the wide, many-indexed deliveries table cost ten index entries, and here they cost two on
/// a narrow table that stays small. The delivery row then changes no indexed column as it goes, and PostgreSQL updates
/// it in place (a HOT update, no index entries).
/// </summary>
internal sealed class QueueRow
{
    public required string DeliveryId { get; set; }

    /// <summary>
    /// When the queue may hand the delivery out (UTC ticks): its due time while waiting, its lease expiry while leased.
    /// One indexed column makes leasing a single range scan.
    /// </summary>
    public long AvailableAt { get; set; }

    /// <summary>The batch the delivery travels in (subscriptions with batching), or <see langword="null"/>.</summary>
    public string? BatchKey { get; set; }

    /// <summary>The token of the current lease; ending the lease must present it.</summary>
    public string? LeaseId { get; set; }

    /// <summary>Which instance holds the lease (for operators: who is sending what).</summary>
    public string? LeaseOwner { get; set; }

    public long? LeaseExpiresAt { get; set; }

    /// <summary>
    /// For ordered deliveries: the line (the subscription's id). Of the rows of one line only the oldest is leased; the
    /// others wait until its row is gone (the delivery succeeded or failed for good).
    /// </summary>
    public string? OrderKey { get; set; }

    /// <summary>For ordered deliveries: the delivery's created time (UTC ticks), its place in the line with the delivery id.</summary>
    public long? OrderedAt { get; set; }
}
