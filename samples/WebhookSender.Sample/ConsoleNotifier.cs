namespace WebhookSender.Sample;

/// <summary>What a host would e-mail to endpoint owners; here it goes to the console.</summary>
internal sealed class ConsoleNotifier : IWebhookNotificationHandler
{
    public ValueTask OnAttemptFailedAsync(AttemptFailedNotification notification, CancellationToken cancellationToken)
    {
        Console.WriteLine($"  ! {notification.Subscription.Name}: attempt {notification.Attempt.AttemptNumber} failed ({notification.Attempt.Error})"
            + (notification.WillRetry ? $", retrying at {notification.Delivery.DueAt:HH:mm:ss}" : ", giving up"));
        return ValueTask.CompletedTask;
    }

    public ValueTask OnSubscriptionRecoveredAsync(SubscriptionRecoveredNotification notification, CancellationToken cancellationToken)
    {
        Console.WriteLine($"  + {notification.Subscription.Name}: delivering again after failures since {notification.FailingSince:HH:mm:ss}");
        return ValueTask.CompletedTask;
    }
}
