namespace WebhookSender;

/// <summary>
/// Reading pull subscriptions: subscriptions without a URL, for receivers that cannot accept inbound calls. Their
/// matching messages are kept for them, with the same filters, formats and payload modes as push, until read.
/// </summary>
/// <remarks>
/// Delivery is at least once: a read returns the messages after its cursor and a cursor for the next read; the messages
/// are acknowledged (they leave the feed, and their deliveries succeed) only when a later read passes that cursor, so a
/// reader that crashes before handling a page reads it again. Each read is logged: one attempt per message returned,
/// with trigger <see cref="AttemptTrigger.Pull"/>.
/// </remarks>
public interface IWebhookUpdates
{
    /// <summary>Reads the next messages of a pull subscription, in publish order.</summary>
    /// <param name="subscriptionId">The pull subscription.</param>
    /// <param name="cursor">The cursor the last read returned; <see langword="null"/> to start at the oldest unread message.</param>
    /// <param name="limit">At most this many messages, 1 to 1000.</param>
    /// <param name="wait">
    /// When none waits, how long to wait for the next one before answering empty (long polling), up to 60 seconds;
    /// <see cref="TimeSpan.Zero"/> answers at once.
    /// </param>
    /// <param name="cancellationToken">Cancels the read (and the wait).</param>
    /// <exception cref="KeyNotFoundException">No subscription has that id.</exception>
    /// <exception cref="WebhookValidationException">
    /// The subscription has a URL (push), the cursor is not one a read returned or belongs to another subscription, or
    /// <paramref name="limit"/> or <paramref name="wait"/> is out of range.
    /// </exception>
    Task<WebhookUpdatePage> ReadAsync(string subscriptionId, string? cursor = null, int limit = 100, TimeSpan wait = default, CancellationToken cancellationToken = default);

    /// <summary>How many messages wait for a pull subscription's reader, and since when.</summary>
    /// <exception cref="KeyNotFoundException">No subscription has that id.</exception>
    Task<WebhookFeedBacklog> GetBacklogAsync(string subscriptionId, CancellationToken cancellationToken = default);
}
