namespace WebhookSender;

/// <summary>Publishes application events to every matching subscription.</summary>
public interface IWebhookPublisher
{
    /// <summary>
    /// Stores the event as a message and queues one delivery per active subscription whose event types,
    /// tenant and filters match. Returns once the message is stored; delivery happens in the background.
    /// </summary>
    /// <exception cref="WebhookValidationException">The event type is not catalogued or the event is malformed.</exception>
    Task<PublishResult> PublishAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default);
}
