namespace WebhookSender.Storage;

/// <summary>An unread entry of a pull subscription's feed: where it is, its delivery and the message.</summary>
/// <param name="Position">Its place in the feed.</param>
/// <param name="Delivery">The delivery, <see cref="DeliveryStatus.Unread"/>.</param>
/// <param name="Message">The message it carries.</param>
public sealed record FeedEntry(FeedPosition Position, WebhookDelivery Delivery, WebhookMessage Message);
