namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// What publishing a message stores: its row, its deliveries, the queue rows of those still to be sent, and the feed rows
/// of those kept for pull subscriptions.
/// </summary>
internal sealed record PublishRows(MessageRow Message, IReadOnlyList<DeliveryRow> Deliveries, IReadOnlyList<QueueRow> Queue, IReadOnlyList<FeedRow> Feed);
