namespace WebhookSender;

/// <summary>Where a delivery is: <c>Queued → Dispatched → Succeeded | Failed</c>, back to Queued between retries.</summary>
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
}
