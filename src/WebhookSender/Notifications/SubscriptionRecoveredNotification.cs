namespace WebhookSender;

/// <summary>A failing subscription succeeded again.</summary>
/// <param name="Subscription">The subscription (secrets redacted).</param>
/// <param name="FailingSince">When its failures had started.</param>
public sealed record SubscriptionRecoveredNotification(WebhookSubscription Subscription, DateTimeOffset FailingSince);
