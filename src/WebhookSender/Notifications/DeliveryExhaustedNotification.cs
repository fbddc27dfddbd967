namespace WebhookSender;

/// <summary>A delivery failed for good.</summary>
/// <param name="Subscription">The subscription (secrets redacted).</param>
/// <param name="Delivery">The failed delivery.</param>
/// <param name="Reason">Why no further attempt is made.</param>
public sealed record DeliveryExhaustedNotification(WebhookSubscription Subscription, WebhookDelivery Delivery, string Reason);
