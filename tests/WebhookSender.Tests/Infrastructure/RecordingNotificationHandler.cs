using System.Collections.Concurrent;

namespace WebhookSender.Tests.Infrastructure;

internal sealed class RecordingNotificationHandler : IWebhookNotificationHandler
{
    public ConcurrentQueue<AttemptFailedNotification> AttemptsFailed { get; } = new();

    public ConcurrentQueue<DeliveryExhaustedNotification> Exhausted { get; } = new();

    public ConcurrentQueue<SubscriptionDisabledNotification> Disabled { get; } = new();

    public ConcurrentQueue<SubscriptionRecoveredNotification> Recovered { get; } = new();

    public ConcurrentQueue<QuotaExhaustedNotification> QuotasExhausted { get; } = new();

    public ValueTask OnQuotaExhaustedAsync(QuotaExhaustedNotification notification, CancellationToken cancellationToken)
    {
        QuotasExhausted.Enqueue(notification);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnAttemptFailedAsync(AttemptFailedNotification notification, CancellationToken cancellationToken)
    {
        AttemptsFailed.Enqueue(notification);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnDeliveryExhaustedAsync(DeliveryExhaustedNotification notification, CancellationToken cancellationToken)
    {
        Exhausted.Enqueue(notification);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnSubscriptionDisabledAsync(SubscriptionDisabledNotification notification, CancellationToken cancellationToken)
    {
        Disabled.Enqueue(notification);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnSubscriptionRecoveredAsync(SubscriptionRecoveredNotification notification, CancellationToken cancellationToken)
    {
        Recovered.Enqueue(notification);
        return ValueTask.CompletedTask;
    }
}
