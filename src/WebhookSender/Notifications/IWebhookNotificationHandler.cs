namespace WebhookSender;

/// <summary>
/// Implemented by the host to hear about trouble and decide whom to tell (e-mail the endpoint owner, post to chat, …).
/// Register with <c>AddNotificationHandler&lt;T&gt;()</c>; every registered handler is called. Override only what you need.
/// A handler that throws is logged and never stops delivery.
/// </summary>
public interface IWebhookNotificationHandler
{
    /// <summary>An attempt failed; the delivery will be retried unless <see cref="AttemptFailedNotification.WillRetry"/> is false.</summary>
    ValueTask OnAttemptFailedAsync(AttemptFailedNotification notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A delivery has failed for good: its retries are exhausted or the endpoint is gone.</summary>
    ValueTask OnDeliveryExhaustedAsync(DeliveryExhaustedNotification notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A subscription was disabled because its endpoint kept failing or answered 410 Gone.</summary>
    ValueTask OnSubscriptionDisabledAsync(SubscriptionDisabledNotification notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A subscription that was failing has delivered successfully again.</summary>
    ValueTask OnSubscriptionRecoveredAsync(SubscriptionRecoveredNotification notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A tenant's or a subscription's quota was used up; deliveries past it are held until the window ends.</summary>
    ValueTask OnQuotaExhaustedAsync(QuotaExhaustedNotification notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
