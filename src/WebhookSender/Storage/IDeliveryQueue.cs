namespace WebhookSender.Storage;

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
    /// Ends leases in one write: appends each end's attempt to the log (whether or not the lease still holds: the request
    /// went out), and stores each delivery's new state if its lease still holds: finished when Succeeded or Failed, queued
    /// again, due at its <see cref="WebhookDelivery.DueAt"/>, when Queued. The dispatcher gathers the ends of concurrent
    /// attempts into one call, so a durable adapter should write them in one round trip.
    /// </summary>
    /// <returns>For each end, in order: <see langword="false"/> when its lease was lost (expired and taken by another holder) and its delivery was not written.</returns>
    Task<IReadOnlyList<bool>> EndLeasesAsync(IReadOnlyList<LeaseEnd> ends, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes a leased delivery with <paramref name="delivery"/>'s state (status Succeeded or Failed). Returns
    /// <see langword="false"/> when the lease was lost (expired and taken by another holder) and nothing was written.
    /// </summary>
    async Task<bool> CompleteAsync(DeliveryLease lease, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        CheckLeased(lease, delivery);
        if (!delivery.IsCompleted)
        {
            throw new ArgumentException(
                $"A delivery is completed with status Succeeded or Failed, not {delivery.Status}; use RescheduleAsync to try it again later.",
                nameof(delivery));
        }

        return (await EndLeasesAsync([new LeaseEnd(lease, delivery)], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Puts a leased delivery back as Queued with <paramref name="delivery"/>'s state, due at its <see cref="WebhookDelivery.DueAt"/>.
    /// Returns <see langword="false"/> when the lease was lost and nothing was written.
    /// </summary>
    async Task<bool> RescheduleAsync(DeliveryLease lease, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        CheckLeased(lease, delivery);
        if (delivery.Status != DeliveryStatus.Queued)
        {
            throw new ArgumentException(
                $"A delivery is rescheduled with status Queued, not {delivery.Status}; use CompleteAsync to finish it.",
                nameof(delivery));
        }

        return (await EndLeasesAsync([new LeaseEnd(lease, delivery)], cancellationToken).ConfigureAwait(false))[0];
    }

    private static void CheckLeased(DeliveryLease lease, WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(delivery);
        if (!string.Equals(delivery.Id, lease.Delivery.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The delivery '{delivery.Id}' is not the one leased ('{lease.Delivery.Id}'); pass the leased delivery with its new state.",
                nameof(delivery));
        }
    }

    /// <summary>
    /// Completes when work may be available: at once if something is due, when new work is stored, when the earliest due
    /// time or lease expiry arrives, or after the adapter's polling interval. Spurious wake-ups are allowed.
    /// </summary>
    Task WaitForWorkAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Cancelled when this process can no longer vouch for the leases it holds: a durable adapter shared by several
    /// processes whose liveness record (a heartbeat) went stale, so that other processes may take its deliveries over.
    /// The dispatcher then cancels the attempts it has in flight and starts none under leases it took before; once the
    /// adapter can vouch again it returns a new token. The default never cancels: leases then hold until they expire.
    /// </summary>
    CancellationToken LeasesLost => CancellationToken.None;

    /// <summary>
    /// Whether the queue keeps the order of deliveries sharing a <see cref="WebhookDelivery.OrderKey"/>: of the unfinished
    /// ones with one key it hands out only the oldest (by created time, then id), so the next is leased only once the one
    /// before it succeeded or failed for good, whichever process sent it. Subscriptions may ask for ordered delivery only
    /// on a queue that does. The default is <see langword="false"/>.
    /// </summary>
    bool KeepsOrder => false;

    /// <summary>
    /// How long the dispatcher holds a finished attempt's lease end before it writes it, so that the ends of attempts
    /// finishing meanwhile go in the same <see cref="EndLeasesAsync"/> call. Worth a few milliseconds on a store whose
    /// every write waits for a disk flush behind one writer (SQLite); the default, zero, writes at once.
    /// </summary>
    TimeSpan LeaseEndDelay => TimeSpan.Zero;
}
