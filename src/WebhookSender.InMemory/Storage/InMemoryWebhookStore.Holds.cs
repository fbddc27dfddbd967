namespace WebhookSender.InMemory;

internal sealed partial class InMemoryWebhookStore
{
    public Task<int> ReleaseHeldAsync(string? tenantId, string? subscriptionId, string reasonPrefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reasonPrefix);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // The queue holds an entry per pending delivery (the live one is the current version); held ones are queued ones
            // whose last hold matches. Gathered first: the queue cannot change while it is read.
            var now = _timeProvider.GetUtcNow();
            var held = _queue.UnorderedItems
                .Where(item => item.Element.Version == item.Element.Entry.Version)
                .Select(item => item.Element.Entry)
                .Where(entry => entry.LeaseId is null && entry.Status == DeliveryStatus.Queued && entry.DueAt > now
                    && (tenantId is null || string.Equals(entry.TenantId, tenantId, StringComparison.Ordinal))
                    && (subscriptionId is null || string.Equals(entry.SubscriptionId, subscriptionId, StringComparison.Ordinal))
                    && entry.Delivery.HoldReason is { } reason && reason.StartsWith(reasonPrefix, StringComparison.Ordinal))
                .ToList();
            foreach (var entry in held)
            {
                entry.Delivery = entry.Delivery with { DueAt = now };
                entry.Version++;
                Enqueue(entry, now);
            }

            if (held.Count > 0)
            {
                SignalWork();
            }

            return Task.FromResult(held.Count);
        }
    }
}
