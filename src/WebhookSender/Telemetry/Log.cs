using Microsoft.Extensions.Logging;

namespace WebhookSender;

/// <summary>
/// Source-generated log messages. They name subscriptions and hosts, never URLs with paths or secrets. Values that come
/// from outside (errors, reasons, tenant ids) go through <see cref="LogText"/> first, so no value can break a line.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Published message {MessageId} of type {EventType} to {DeliveryCount} subscriptions.", EventName = "MessagePublished")]
    public static partial void MessagePublished(ILogger logger, string messageId, string eventType, int deliveryCount);

    [LoggerMessage(2, LogLevel.Debug, "Delivered {MessageId} to subscription {SubscriptionId} (attempt {AttemptNumber}, status {StatusCode}, {DurationMs} ms).", EventName = "AttemptSucceeded")]
    public static partial void AttemptSucceeded(ILogger logger, string messageId, string subscriptionId, int attemptNumber, int statusCode, long durationMs);

    /// <summary>The error is a receiver's or a handler's words: kept on one line, its own full stop left to the template.</summary>
    public static void AttemptFailedWillRetry(ILogger logger, int attemptNumber, string messageId, string subscriptionId, string host, string error, DateTimeOffset nextAttemptAt)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            AttemptFailedWillRetryLine(logger, attemptNumber, messageId, subscriptionId, host, LogText.Clause(error), nextAttemptAt);
        }
    }

    [LoggerMessage(3, LogLevel.Warning, "Attempt {AttemptNumber} of {MessageId} to subscription {SubscriptionId} ({Host}) failed: {Error}. Next attempt at {NextAttemptAt:O}.", EventName = "AttemptFailedWillRetry")]
    private static partial void AttemptFailedWillRetryLine(ILogger logger, int attemptNumber, string messageId, string subscriptionId, string host, string error, DateTimeOffset nextAttemptAt);

    /// <summary>The reason may quote the last error: kept on one line, its own full stop left to the template.</summary>
    public static void DeliveryExhausted(ILogger logger, string deliveryId, string messageId, string subscriptionId, string reason)
    {
        if (logger.IsEnabled(LogLevel.Error))
        {
            DeliveryExhaustedLine(logger, deliveryId, messageId, subscriptionId, LogText.Clause(reason));
        }
    }

    [LoggerMessage(4, LogLevel.Error, "Delivery {DeliveryId} of {MessageId} to subscription {SubscriptionId} failed for good: {Reason}.", EventName = "DeliveryExhausted")]
    private static partial void DeliveryExhaustedLine(ILogger logger, string deliveryId, string messageId, string subscriptionId, string reason);

    /// <summary>The reason may quote the endpoint's answer: kept on one line, its own full stop left to the template.</summary>
    public static void SubscriptionDisabled(ILogger logger, string subscriptionId, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            SubscriptionDisabledLine(logger, subscriptionId, LogText.Clause(reason));
        }
    }

    [LoggerMessage(5, LogLevel.Warning, "Subscription {SubscriptionId} was disabled: {Reason}.", EventName = "SubscriptionDisabled")]
    private static partial void SubscriptionDisabledLine(ILogger logger, string subscriptionId, string reason);

    [LoggerMessage(6, LogLevel.Information, "Subscription {SubscriptionId} recovered after failing since {FailingSince:O}.", EventName = "SubscriptionRecovered")]
    public static partial void SubscriptionRecovered(ILogger logger, string subscriptionId, DateTimeOffset failingSince);

    [LoggerMessage(7, LogLevel.Warning, "The lease on delivery {DeliveryId} was lost before its outcome was saved; another dispatcher may send it again.", EventName = "LeaseLost")]
    public static partial void LeaseLost(ILogger logger, string deliveryId);

    [LoggerMessage(8, LogLevel.Error, "The dispatcher failed to read or update the store; retrying in {Delay}.", EventName = "DispatcherStoreError")]
    public static partial void DispatcherStoreError(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(9, LogLevel.Error, "Processing delivery {DeliveryId} failed unexpectedly; it will be retried when its lease expires.", EventName = "DeliveryProcessingError")]
    public static partial void DeliveryProcessingError(ILogger logger, Exception exception, string deliveryId);

    [LoggerMessage(10, LogLevel.Error, "Notification handler {Handler} threw while handling {Notification}; delivery goes on.", EventName = "NotificationHandlerFailed")]
    public static partial void NotificationHandlerFailed(ILogger logger, Exception exception, string handler, string notification);

    [LoggerMessage(11, LogLevel.Information, "Webhook dispatcher started with concurrency {MaxConcurrency}.", EventName = "DispatcherStarted")]
    public static partial void DispatcherStarted(ILogger logger, int maxConcurrency);

    [LoggerMessage(12, LogLevel.Information, "Webhook dispatcher stopped after finishing {InFlight} attempts that were in flight (any cut off by the shutdown timeout went back to the queue).", EventName = "DispatcherStopped")]
    public static partial void DispatcherStopped(ILogger logger, int inFlight);

    /// <summary>The tenant id is the host's (validated on the way in); kept on one line all the same.</summary>
    public static void SubscriptionCreated(ILogger logger, string subscriptionId, string? tenantId)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            SubscriptionCreatedLine(logger, subscriptionId, tenantId is null ? null : LogText.OneLine(tenantId));
        }
    }

    [LoggerMessage(13, LogLevel.Information, "Subscription {SubscriptionId} was created for tenant {TenantId}.", EventName = "SubscriptionCreated")]
    private static partial void SubscriptionCreatedLine(ILogger logger, string subscriptionId, string? tenantId);

    /// <summary>Kept on one line, its own full stop left to the template.</summary>
    public static void DeliverySkipped(ILogger logger, string deliveryId, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            DeliverySkippedLine(logger, deliveryId, LogText.Clause(reason));
        }
    }

    [LoggerMessage(14, LogLevel.Warning, "Delivery {DeliveryId} was not attempted: {Reason}.", EventName = "DeliverySkipped")]
    private static partial void DeliverySkippedLine(ILogger logger, string deliveryId, string reason);

    [LoggerMessage(15, LogLevel.Warning, "The circuit of subscription {SubscriptionId} opened after {FailureThreshold} or more failed attempts in a row; its deliveries wait until {OpenUntil:O}, then one probe decides.", EventName = "CircuitOpened")]
    public static partial void CircuitOpened(ILogger logger, string subscriptionId, int failureThreshold, DateTimeOffset openUntil);

    [LoggerMessage(16, LogLevel.Information, "The circuit of subscription {SubscriptionId} closed: a probe succeeded.", EventName = "CircuitClosed")]
    public static partial void CircuitClosed(ILogger logger, string subscriptionId);

    [LoggerMessage(17, LogLevel.Warning, "The shared rate limit or quota of subscription {SubscriptionId} could not be counted in the store; its delivery waits a second instead of going past it.", EventName = "LimitStoreError")]
    public static partial void LimitStoreError(ILogger logger, Exception exception, string subscriptionId);

    [LoggerMessage(18, LogLevel.Warning, "Quota {QuotaKey} is used up ({Quota} requests); deliveries past it are held until {WindowEnd:O}.", EventName = "QuotaExhausted")]
    public static partial void QuotaExhausted(ILogger logger, string quotaKey, long quota, DateTimeOffset windowEnd);

    [LoggerMessage(19, LogLevel.Information, "The quota of {QuotaOwner} was raised (now {Quota}); {Released} held deliveries are due now.", EventName = "QuotaRaised")]
    public static partial void QuotaRaised(ILogger logger, string quotaOwner, long? quota, int released);

    [LoggerMessage(20, LogLevel.Warning, "Checking held quotas for a raise failed; the next check tries again, and held deliveries go when their window ends.", EventName = "QuotaRecheckFailed")]
    public static partial void QuotaRecheckFailed(ILogger logger, Exception exception);
}
