using WebhookSender.Storage;

namespace WebhookSender;

/// <summary>The delivery log and manual redelivery.</summary>
public interface IWebhookDeliveries
{
    /// <summary>Gets a delivery, or <see langword="null"/>.</summary>
    Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken = default);

    /// <summary>Lists deliveries, newest first.</summary>
    Task<WebhookPage<WebhookDelivery>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// How much is pending: deliveries due now, in flight and waiting for a later time, and how long the oldest due one
    /// has waited, counted by the store in one read (paging <see cref="ListAsync"/> cannot say this beyond one page).
    /// Cheap enough for a health check; the cost of each store is documented with it.
    /// </summary>
    /// <param name="tenantId">Only this tenant's deliveries; <see langword="null"/> counts every delivery, with or without a tenant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="NotSupportedException">The registered store does not implement <see cref="IWebhookStore.GetBacklogAsync"/>.</exception>
    Task<WebhookBacklog> GetBacklogAsync(string? tenantId = null, CancellationToken cancellationToken = default);

    /// <summary>Lists attempts, newest first.</summary>
    Task<WebhookPage<DeliveryAttempt>> ListAttemptsAsync(AttemptQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets one attempt with its request and response (credentials redacted), or <see langword="null"/>.</summary>
    /// <exception cref="NotSupportedException">The registered store does not implement <see cref="IWebhookStore.GetAttemptAsync"/>.</exception>
    Task<DeliveryAttempt?> GetAttemptAsync(Guid attemptId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a stored message to a subscription again (trigger <see cref="AttemptTrigger.Manual"/>), with the same
    /// <c>webhook-id</c>. Returns the new delivery.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The message or subscription does not exist (any more).</exception>
    Task<WebhookDelivery> RedeliverAsync(string messageId, string subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Redelivers every delivery to the subscription that Failed at or after <paramref name="since"/>, for example once
    /// its owner has fixed the endpoint. Returns how many were queued.
    /// </summary>
    Task<int> RecoverAsync(string subscriptionId, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>
    /// After raising a quota (<see cref="WebhookQuotaOptions"/>, <see cref="WebhookDeliveryControls.Quota"/>): makes the
    /// deliveries that quotas hold, of <paramref name="tenantId"/> (and of <paramref name="subscriptionId"/> if given), due
    /// now instead of at the end of the window. Each is counted again when it goes; past the new quota it is held again.
    /// </summary>
    /// <returns>How many deliveries were released.</returns>
    /// <exception cref="NotSupportedException">The registered store does not implement <see cref="IWebhookStore.ReleaseHeldAsync"/>.</exception>
    Task<int> ReleaseQuotaHoldsAsync(string? tenantId, string? subscriptionId = null, CancellationToken cancellationToken = default);
}
