using Microsoft.Extensions.Logging;

namespace WebhookSender;

/// <summary>
/// Calls every registered <see cref="IWebhookNotificationHandler"/>; a throwing handler is logged and skipped. The
/// subscription a handler gets is redacted here, whoever sent the notification: credentials and the static headers the
/// host lists in <see cref="WebhookOptions.RedactedHeaders"/>.
/// </summary>
internal sealed class NotificationPublisher(IEnumerable<IWebhookNotificationHandler> handlers, CredentialRedaction redaction, ILogger<NotificationPublisher> logger)
{
    private readonly IWebhookNotificationHandler[] _handlers = [.. handlers];

    // Without handlers (the common case) nothing is copied or redacted.
    public Task AttemptFailedAsync(AttemptFailedNotification n, CancellationToken ct) =>
        _handlers.Length == 0 ? Task.CompletedTask : Publish(n with { Subscription = redaction.Redact(n.Subscription) }, static (h, n, c) => h.OnAttemptFailedAsync(n, c), ct);

    public Task DeliveryExhaustedAsync(DeliveryExhaustedNotification n, CancellationToken ct) =>
        _handlers.Length == 0 ? Task.CompletedTask : Publish(n with { Subscription = redaction.Redact(n.Subscription) }, static (h, n, c) => h.OnDeliveryExhaustedAsync(n, c), ct);

    public Task SubscriptionDisabledAsync(SubscriptionDisabledNotification n, CancellationToken ct) =>
        _handlers.Length == 0 ? Task.CompletedTask : Publish(n with { Subscription = redaction.Redact(n.Subscription) }, static (h, n, c) => h.OnSubscriptionDisabledAsync(n, c), ct);

    public Task SubscriptionRecoveredAsync(SubscriptionRecoveredNotification n, CancellationToken ct) =>
        _handlers.Length == 0 ? Task.CompletedTask : Publish(n with { Subscription = redaction.Redact(n.Subscription) }, static (h, n, c) => h.OnSubscriptionRecoveredAsync(n, c), ct);

    public Task QuotaExhaustedAsync(QuotaExhaustedNotification n, CancellationToken ct) =>
        _handlers.Length == 0 ? Task.CompletedTask
            : Publish(n with { Subscription = n.Subscription is null ? null : redaction.Redact(n.Subscription) }, static (h, n, c) => h.OnQuotaExhaustedAsync(n, c), ct);

    private Task Publish<TNotification>(TNotification notification, Func<IWebhookNotificationHandler, TNotification, CancellationToken, ValueTask> call, CancellationToken cancellationToken)
        where TNotification : notnull =>
        PublishAsync(notification, (h, c) => call(h, notification, c), cancellationToken);

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
