namespace WebhookSender;

/// <summary>
/// The scheduling view of deliveries: due-time ordered work handed out under leases. A lease expires, so work held by a
/// crashed process comes back; completing or rescheduling requires the lease to still be held.
/// </summary>
/// <remarks>
/// Deliveries enter the queue when <see cref="IWebhookStore"/> stores them. A durable adapter shared by several processes
/// must never hand the same delivery to two holders while a lease holds.
/// </remarks>
public interface IDeliveryQueue
{
    /// <summary>
    /// Leases up to <paramref name="maxCount"/> deliveries that are due (or whose lease expired), earliest first, for
    /// <paramref name="leaseDuration"/>. Leased deliveries are <see cref="DeliveryStatus.Dispatched"/>.
    /// </summary>
    Task<IReadOnlyList<DeliveryLease>> LeaseAsync(int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes a leased delivery with <paramref name="delivery"/>'s state (status Succeeded or Failed). Returns
    /// <see langword="false"/> when the lease was lost (expired and taken by another holder) and nothing was written.
    /// </summary>
    Task<bool> CompleteAsync(DeliveryLease lease, WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a leased delivery back as Queued with <paramref name="delivery"/>'s state, due at its <see cref="WebhookDelivery.DueAt"/>.
    /// Returns <see langword="false"/> when the lease was lost and nothing was written.
    /// </summary>
    Task<bool> RescheduleAsync(DeliveryLease lease, WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when work may be available: at once if something is due, when new work is stored, when the earliest due
    /// time or lease expiry arrives, or after the adapter's polling interval. Spurious wake-ups are allowed.
    /// </summary>
    Task WaitForWorkAsync(CancellationToken cancellationToken);
}
