namespace WebhookSender.Storage;

/// <summary>
/// A queue that can hand out the deliveries of one batch together, so that a batch is sent, and retried, as one request.
/// Needed by subscriptions with <see cref="WebhookSubscription.Batching"/>; both shipped stores implement it.
/// </summary>
public interface IDeliveryBatchQueue
{
    /// <summary>
    /// Leases up to <paramref name="maxCount"/> queued deliveries whose <see cref="WebhookDelivery.BatchKey"/> is
    /// <paramref name="batchKey"/> (whatever their due time), oldest first, like <see cref="IDeliveryQueue.LeaseAsync"/>.
    /// </summary>
    Task<IReadOnlyList<DeliveryLease>> LeaseBatchAsync(string batchKey, int maxCount, TimeSpan leaseDuration, CancellationToken cancellationToken);
}
