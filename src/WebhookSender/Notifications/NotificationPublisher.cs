using Microsoft.Extensions.Logging;

namespace WebhookSender;

/// <summary>Calls every registered <see cref="IWebhookNotificationHandler"/>; a throwing handler is logged and skipped.</summary>
internal sealed class NotificationPublisher(IEnumerable<IWebhookNotificationHandler> handlers, ILogger<NotificationPublisher> logger)
{
    private readonly IWebhookNotificationHandler[] _handlers = [.. handlers];

    public Task AttemptFailedAsync(AttemptFailedNotification n, CancellationToken ct) => PublishAsync(n, (h, c) => h.OnAttemptFailedAsync(n, c), ct);

    public Task DeliveryExhaustedAsync(DeliveryExhaustedNotification n, CancellationToken ct) => PublishAsync(n, (h, c) => h.OnDeliveryExhaustedAsync(n, c), ct);

    public Task SubscriptionDisabledAsync(SubscriptionDisabledNotification n, CancellationToken ct) => PublishAsync(n, (h, c) => h.OnSubscriptionDisabledAsync(n, c), ct);

    public Task SubscriptionRecoveredAsync(SubscriptionRecoveredNotification n, CancellationToken ct) => PublishAsync(n, (h, c) => h.OnSubscriptionRecoveredAsync(n, c), ct);

    private async Task PublishAsync(object notification, Func<IWebhookNotificationHandler, CancellationToken, ValueTask> call, CancellationToken cancellationToken)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await call(handler, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.NotificationHandlerFailed(logger, ex, handler.GetType().Name, notification.GetType().Name);
            }
        }
    }
}
