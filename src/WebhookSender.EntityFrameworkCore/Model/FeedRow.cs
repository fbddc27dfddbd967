namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// A row of <c>webhook_feed</c>: an unread delivery of a pull subscription, and its place in the subscription's feed.
/// It exists from publish until the reader's cursor passes it (the delivery then succeeds), and is read in
/// (<see cref="Transaction"/>, <see cref="Position"/>) order.
/// </summary>
internal sealed class FeedRow
{
    /// <summary>The order of writing: an identity (PostgreSQL) or autoincrement (SQLite) key, never reused.</summary>
    public long Position { get; set; }

    /// <summary>
    /// On PostgreSQL, the id of the writing transaction (the column's default, <c>pg_current_xact_id()</c>). Readers take
    /// only rows whose transaction is older than every transaction still running, so a row committed late (a long
    /// transaction, the host's outbox) never lands behind a cursor already past it. 0 on SQLite, whose writers commit one
    /// at a time, in order.
    /// </summary>
    public long Transaction { get; set; }

    public required string SubscriptionId { get; set; }

    public required string DeliveryId { get; set; }

    public required string MessageId { get; set; }

    /// <summary>When the delivery was created (UTC ticks).</summary>
    public long CreatedAt { get; set; }
}
