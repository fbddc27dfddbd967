namespace WebhookSender.EntityFrameworkCore;

/// <summary>What publishing a message stores: its row, its deliveries, and the queue rows of those still to be sent.</summary>
internal sealed record PublishRows(MessageRow Message, IReadOnlyList<DeliveryRow> Deliveries, IReadOnlyList<QueueRow> Queue);
