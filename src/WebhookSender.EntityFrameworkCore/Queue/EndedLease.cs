namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// The end of one lease: the delivery's new state, the lease token that must still hold, and the delivery's place in the
/// queue from now on (<see langword="null"/> once it is finished: its queue row goes).
/// </summary>
internal readonly record struct EndedLease(DeliveryRow Row, string LeaseId, QueueRow? Queue);
