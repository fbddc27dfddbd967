namespace WebhookSender;

/// <summary>
/// Thrown when a store refuses new work because a configured bound is reached (for example the in-memory store's cap on
/// pending deliveries). Nothing of the refused operation was stored; the message says which bound and what to do.
/// </summary>
public sealed class WebhookCapacityExceededException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public WebhookCapacityExceededException(string message)
        : base(message)
    {
    }
}
