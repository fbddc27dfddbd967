namespace WebhookSender.Storage;

/// <summary>
/// How one lease ends, for <see cref="IDeliveryQueue.EndLeasesAsync"/>: the delivery's new state, and the attempt that
/// led there, which is appended to the log in the same write.
/// </summary>
/// <param name="Lease">The lease held.</param>
/// <param name="Delivery">
/// The leased delivery with its new state: <see cref="DeliveryStatus.Queued"/> to be tried again at its
/// <see cref="WebhookDelivery.DueAt"/>, or <see cref="DeliveryStatus.Succeeded"/> / <see cref="DeliveryStatus.Failed"/> when finished.
/// </param>
/// <param name="Attempt">The attempt made under the lease, or <see langword="null"/> when none was (shutdown, abandoned).</param>
public sealed record LeaseEnd(DeliveryLease Lease, WebhookDelivery Delivery, DeliveryAttempt? Attempt = null);
