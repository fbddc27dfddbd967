namespace WebhookSender;

/// <summary>An attempt failed.</summary>
/// <param name="Subscription">The subscription (secrets redacted).</param>
/// <param name="Delivery">The delivery after the attempt.</param>
/// <param name="Attempt">The failed attempt as logged.</param>
/// <param name="WillRetry">Whether another attempt is scheduled.</param>
public sealed record AttemptFailedNotification(WebhookSubscription Subscription, WebhookDelivery Delivery, DeliveryAttempt Attempt, bool WillRetry);
