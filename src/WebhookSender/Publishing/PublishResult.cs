namespace WebhookSender;

/// <summary>What <see cref="IWebhookPublisher.PublishAsync"/> did.</summary>
/// <param name="MessageId">The stored message id (<c>msg_…</c>), sent as <c>webhook-id</c>.</param>
/// <param name="DeliveryCount">How many deliveries were queued (one per matching subscription).</param>
/// <param name="IsDuplicate"><see langword="true"/> when the idempotency key was seen before and nothing new was queued.</param>
public sealed record PublishResult(string MessageId, int DeliveryCount, bool IsDuplicate = false);
