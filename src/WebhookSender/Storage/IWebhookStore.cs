namespace WebhookSender.Storage;

/// <summary>
/// Where subscriptions, messages, deliveries and the attempt log live. Adapters: <c>AddInMemoryStore()</c>,
/// <c>AddEntityFrameworkStore&lt;TContext&gt;()</c>. Deliveries written here enter the <see cref="IDeliveryQueue"/>:
/// an adapter backs both with the same records, so that publishing a message with its deliveries is one atomic write.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe, must return copies callers cannot use to change stored state, and must keep
/// every collection that grows with traffic bounded (or cleaned by retention).
/// </remarks>
public interface IWebhookStore
{
    /// <summary>Stores a new subscription.</summary>
    Task AddSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken);

    /// <summary>Gets a subscription with its real secrets, or <see langword="null"/>.</summary>
    Task<WebhookSubscription?> GetSubscriptionAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a subscription if the stored one still has <see cref="WebhookSubscription.Version"/>; the stored copy gets
    /// the next version. Returns the stored subscription, or <see langword="null"/> when it is gone or was changed meanwhile.
    /// </summary>
    Task<WebhookSubscription?> UpdateSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken);

    /// <summary>Deletes a subscription. Returns <see langword="false"/> if it did not exist.</summary>
    Task<bool> DeleteSubscriptionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists subscriptions ordered by id.</summary>
    Task<WebhookPage<WebhookSubscription>> ListSubscriptionsAsync(SubscriptionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Returns the active subscriptions of <paramref name="tenantId"/> that accept <paramref name="eventType"/>, explicitly or
    /// through <c>*</c>. Must not examine every subscription: index by tenant and event type.
    /// </summary>
    Task<IReadOnlyList<WebhookSubscription>> FindSubscriptionsAsync(string eventType, string? tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a message and its deliveries in one atomic step; the deliveries become due at their <see cref="WebhookDelivery.DueAt"/>.
    /// When a message with the same tenant and <see cref="WebhookMessage.IdempotencyKey"/> exists, stores nothing and returns that one.
    /// </summary>
    /// <returns>The stored message: <paramref name="message"/>, or the earlier one with the same idempotency key.</returns>
    Task<WebhookMessage> AddMessageAsync(WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a message and its deliveries as <see cref="AddMessageAsync"/> does, but with every delivery already leased to
    /// the caller for <paramref name="leaseDuration"/> (status Dispatched), as <see cref="IDeliveryQueue.LeaseAsync"/> would
    /// lease it. The dispatcher of the publishing process then sends them without leasing them back from the store: for a
    /// durable store, one write per delivery fewer. The caller passes only deliveries that are due now and not batched.
    /// </summary>
    /// <remarks>
    /// An adapter may store the deliveries unleased and return no leases, for instance when the write joins a transaction of
    /// the host's whose commit it cannot see; the default implementation always does. Leases returned must be ended (or
    /// lapse) like any other.
    /// </remarks>
    async Task<StoredMessage> AddMessageAndLeaseAsync(
        WebhookMessage message, IReadOnlyList<WebhookDelivery> deliveries, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        new(await AddMessageAsync(message, deliveries, cancellationToken).ConfigureAwait(false), []);

    /// <summary>Gets a message, or <see langword="null"/>.</summary>
    Task<WebhookMessage?> GetMessageAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores new deliveries of an existing message (redelivery, recovery); they become due at their due time.</summary>
    Task AddDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>Gets a delivery, or <see langword="null"/>.</summary>
    Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists deliveries, newest first.</summary>
    Task<WebhookPage<WebhookDelivery>> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Counts the pending deliveries of <paramref name="tenantId"/> (<see langword="null"/>: of every tenant, and those
    /// without one) at the store's current time: due and held by no live lease, under a live lease, and waiting for a
    /// later due time, with the time the oldest due one became available (its due time, or the expiry of a lapsed lease).
    /// Health checks call it often: read only what is pending (the queue), in one round trip, never the delivery history.
    /// </summary>
    /// <remarks>
    /// The default implementation throws <see cref="NotSupportedException"/>, so that adapters written before it still
    /// build; an adapter implements it to support <see cref="IWebhookDeliveries.GetBacklogAsync"/>.
    /// </remarks>
    Task<WebhookBacklog> GetBacklogAsync(string? tenantId, CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            $"{GetType().Name} does not count its backlog: implement IWebhookStore.GetBacklogAsync (one aggregate read of the pending " +
            "deliveries: due, in flight, waiting, and the oldest due time) to use IWebhookDeliveries.GetBacklogAsync.");

    /// <summary>
    /// Makes due now the queued deliveries (not under a lease) whose <see cref="WebhookDelivery.HoldReason"/> starts with
    /// <paramref name="reasonPrefix"/>, of <paramref name="tenantId"/> and of <paramref name="subscriptionId"/> where given
    /// (both <see langword="null"/>: of everyone). Returns how many. Called when a quota is raised; read only the queue.
    /// </summary>
    /// <remarks>
    /// The default implementation throws <see cref="NotSupportedException"/>, so that adapters written before it still
    /// build; an adapter implements it to support <see cref="IWebhookDeliveries.ReleaseQuotaHoldsAsync"/>.
    /// </remarks>
    Task<int> ReleaseHeldAsync(string? tenantId, string? subscriptionId, string reasonPrefix, CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            $"{GetType().Name} does not release held deliveries: implement IWebhookStore.ReleaseHeldAsync to use IWebhookDeliveries.ReleaseQuotaHoldsAsync.");

    /// <summary>Appends an attempt to the log.</summary>
    Task AddAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken);

    /// <summary>Lists attempts, newest first.</summary>
    Task<WebhookPage<DeliveryAttempt>> ListAttemptsAsync(AttemptQuery query, CancellationToken cancellationToken);

    /// <summary>Gets one attempt by its id, or <see langword="null"/> when none (or no longer one) is stored.</summary>
    /// <remarks>
    /// The default implementation throws <see cref="NotSupportedException"/>, so that adapters written before it still
    /// build; an adapter implements it (a lookup by key) to support <see cref="IWebhookDeliveries.GetAttemptAsync"/>.
    /// </remarks>
    Task<DeliveryAttempt?> GetAttemptAsync(Guid id, CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            $"{GetType().Name} does not look attempts up by id: implement IWebhookStore.GetAttemptAsync to use IWebhookDeliveries.GetAttemptAsync.");
}
