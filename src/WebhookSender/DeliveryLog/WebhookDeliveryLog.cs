namespace WebhookSender;

internal sealed class WebhookDeliveryLog(IWebhookStore store, TimeProvider timeProvider) : IWebhookDeliveries
{
    public Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deliveryId);
        return store.GetDeliveryAsync(deliveryId, cancellationToken);
    }

    public Task<WebhookPage<WebhookDelivery>> ListAsync(DeliveryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        QueryLimits.Check(query.Limit);
        return store.ListDeliveriesAsync(query, cancellationToken);
    }

    public Task<WebhookBacklog> GetBacklogAsync(string? tenantId = null, CancellationToken cancellationToken = default)
    {
        if (tenantId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        }

        return store.GetBacklogAsync(tenantId, cancellationToken);
    }

    public Task<WebhookPage<DeliveryAttempt>> ListAttemptsAsync(AttemptQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        QueryLimits.Check(query.Limit);
        return store.ListAttemptsAsync(query, cancellationToken);
    }

    public Task<DeliveryAttempt?> GetAttemptAsync(Guid attemptId, CancellationToken cancellationToken = default) =>
        store.GetAttemptAsync(attemptId, cancellationToken);

    public Task<int> ReleaseQuotaHoldsAsync(string? tenantId, string? subscriptionId = null, CancellationToken cancellationToken = default) =>
        store.ReleaseHeldAsync(tenantId, subscriptionId, HoldReasons.QuotaPrefix, cancellationToken);

    public async Task<WebhookDelivery> RedeliverAsync(string messageId, string subscriptionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        var message = await store.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No stored message has the id '{messageId}'; it may have been removed by retention.");
        var subscription = await store.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No webhook subscription has the id '{subscriptionId}'.");
        if (subscription.TenantId != message.TenantId)
        {
            throw new InvalidOperationException($"Message '{messageId}' belongs to another tenant than subscription '{subscriptionId}'; it cannot be delivered there.");
        }

        var delivery = WebhookPublisher.NewDelivery(message, subscription, AttemptTrigger.Manual, timeProvider.GetUtcNow());
        await store.AddDeliveriesAsync([delivery], cancellationToken).ConfigureAwait(false);
        return delivery;
    }

    public async Task<int> RecoverAsync(string subscriptionId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        _ = await store.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No webhook subscription has the id '{subscriptionId}'.");

        var now = timeProvider.GetUtcNow();
        var redelivered = new HashSet<string>(StringComparer.Ordinal);
        var query = new DeliveryQuery { SubscriptionId = subscriptionId, Status = DeliveryStatus.Failed, Since = since, Limit = QueryLimits.MaxPageSize };
        while (true)
        {
            var page = await store.ListDeliveriesAsync(query, cancellationToken).ConfigureAwait(false);
            var batch = page.Items
                .Where(d => d.Trigger != AttemptTrigger.Ping && redelivered.Add(d.MessageId))
                .Select(d => d with
                {
                    Id = WebhookIds.NewDeliveryId(now),
                    Trigger = AttemptTrigger.Manual,
                    Status = DeliveryStatus.Queued,
                    AttemptCount = 0,
                    DueAt = now,
                    CreatedAt = now,
                    LastAttemptAt = null,
                    LastStatusCode = null,
                    CompletedAt = null,
                })
                .ToList();
            if (batch.Count > 0)
            {
                await store.AddDeliveriesAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            if (page.NextCursor is null)
            {
                return redelivered.Count;
            }

            query = query with { Cursor = page.NextCursor };
        }
    }
}
