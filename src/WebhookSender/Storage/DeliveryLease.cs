namespace WebhookSender.Storage;

/// <summary>A delivery handed to one dispatcher until <see cref="ExpiresAt"/>.</summary>
/// <param name="Delivery">The leased delivery (status Dispatched).</param>
/// <param name="LeaseId">The token that proves the lease when completing or rescheduling.</param>
/// <param name="ExpiresAt">When the lease lapses and the delivery may be handed out again.</param>
public sealed record DeliveryLease(WebhookDelivery Delivery, string LeaseId, DateTimeOffset ExpiresAt);
