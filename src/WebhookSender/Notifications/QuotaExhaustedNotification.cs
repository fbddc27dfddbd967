namespace WebhookSender;

/// <summary>A quota was used up: the tenant's (<see cref="Subscription"/> is <see langword="null"/>) or one subscription's.</summary>
/// <param name="TenantId">The tenant whose quota, or whose subscription's quota, was used up.</param>
/// <param name="Subscription">For a subscription's own quota: the subscription (secrets redacted); <see langword="null"/> for the tenant's.</param>
/// <param name="Quota">The quota, in requests per window.</param>
/// <param name="WindowEnd">When the window ends and the held deliveries go again.</param>
public sealed record QuotaExhaustedNotification(string? TenantId, WebhookSubscription? Subscription, long Quota, DateTimeOffset WindowEnd);
