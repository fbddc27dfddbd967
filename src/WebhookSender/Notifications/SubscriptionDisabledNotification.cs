namespace WebhookSender;

/// <summary>A subscription was disabled.</summary>
/// <param name="Subscription">The disabled subscription (secrets redacted).</param>
/// <param name="Reason">Why it was disabled.</param>
public sealed record SubscriptionDisabledNotification(WebhookSubscription Subscription, string Reason);
