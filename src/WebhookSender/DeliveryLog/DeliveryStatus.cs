namespace WebhookSender;

/// <summary>
/// Where a delivery is: <c>Queued → Dispatched → Succeeded | Failed</c>, back to Queued between retries; for a pull
/// subscription, <c>Unread → Succeeded</c> when its reader takes it.
/// </summary>
public enum DeliveryStatus
{
    /// <summary>Waiting for its due time.</summary>
    Queued,

    /// <summary>Leased by a dispatcher; an attempt is in flight.</summary>
    Dispatched,

    /// <summary>The receiver answered 2xx.</summary>
    Succeeded,

    /// <summary>Retries exhausted, the endpoint answered 410 Gone, or the subscription is gone or disabled.</summary>
    Failed,

    /// <summary>
    /// Kept for a pull subscription (one without a URL) until its reader moves its cursor past it, which makes it
    /// Succeeded. It is never queued for sending.
    /// </summary>
    Unread,
}
