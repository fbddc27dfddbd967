namespace WebhookSender.Storage;

/// <summary>
/// The feeds of pull subscriptions: each keeps its subscription's unread deliveries (<see cref="DeliveryStatus.Unread"/>,
/// added with the message like any delivery) in publish order, for <see cref="IWebhookUpdates.ReadAsync"/>. Both
/// stores implement it; a store without it cannot hold pull subscriptions.
/// </summary>
/// <remarks>
/// A feed position must never be handed out behind one a reader has already passed: a reader that moved its cursor past
/// position P must never later find an entry at or before P. Stores where concurrent writers commit out of order
/// (PostgreSQL) return only entries whose writing transactions are all finished (see <see cref="FeedPosition"/>).
/// </remarks>
public interface IWebhookFeedStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> unread entries of the subscription's feed after <paramref name="after"/>, oldest
    /// first, with their messages.
    /// </summary>
    Task<IReadOnlyList<FeedEntry>> ReadFeedAsync(string subscriptionId, FeedPosition after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a read in one write: the entries up to and including <paramref name="upTo"/> leave the feed and their
    /// deliveries succeed at <paramref name="now"/> (the reader moved its cursor past them); <paramref name="attempts"/>
    /// (one per entry the read returned) are appended to the log and counted on their deliveries.
    /// </summary>
    Task AcknowledgeAsync(string subscriptionId, FeedPosition upTo, IReadOnlyList<DeliveryAttempt> attempts, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a subscription's deliveries when it switches mode: to pull (<paramref name="toFeed"/>), its queued deliveries
    /// that no dispatcher holds become unread entries at the feed's end; to push, its unread entries are queued, due at
    /// <paramref name="now"/>. Returns how many moved.
    /// </summary>
    Task<int> MoveDeliveriesAsync(string subscriptionId, bool toFeed, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>How many entries the subscription's feed holds, and when the oldest was added.</summary>
    Task<WebhookFeedBacklog> GetFeedBacklogAsync(string subscriptionId, CancellationToken cancellationToken);
}
