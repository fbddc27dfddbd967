namespace WebhookSender.AspNetCore;

/// <summary>A new subscription and its signing secret, shown this once.</summary>
/// <param name="Subscription">The subscription as stored.</param>
/// <param name="Secret">The signing secret (<c>whsec_…</c>) the receiver verifies signatures with.</param>
public sealed record CreatedSubscriptionResource(SubscriptionResource Subscription, string Secret);
