namespace WebhookSender.Storage;

/// <summary>What <see cref="IWebhookStore.AddMessageAndLeaseAsync"/> stored.</summary>
/// <param name="Message">The stored message: the one given, or the earlier one with the same idempotency key.</param>
/// <param name="Leases">
/// One lease per delivery, in the order given; empty when the deliveries were stored unleased (the store hands them out
/// through <see cref="IDeliveryQueue.LeaseAsync"/> as usual) or when nothing was stored (a duplicate).
/// </param>
public sealed record StoredMessage(WebhookMessage Message, IReadOnlyList<DeliveryLease> Leases);
