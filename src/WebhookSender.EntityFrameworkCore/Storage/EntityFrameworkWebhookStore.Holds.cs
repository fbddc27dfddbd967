using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    /// <summary>
    /// Finds the held deliveries from the queue (a row per pending delivery, not the history), each delivery looked up by
    /// its key, then makes their queue rows and deliveries due now, and the rest of their ordered lines with them, in one
    /// transaction, and wakes the dispatchers.
    /// </summary>
    public Task<int> ReleaseHeldAsync(string? tenantId, string? subscriptionId, string reasonPrefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reasonPrefix);
        return GuardAsync("releasing held deliveries", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            long now = RowMapping.Ticks(_timeProvider.GetUtcNow());
            int queued = (int)DeliveryStatus.Queued;
            var deliveries = context.Set<DeliveryRow>();
            var ids = await context.Set<QueueRow>()
                .Where(q => q.LeaseId == null && q.AvailableAt > now && deliveries.Any(d => d.Id == q.DeliveryId && d.Status == queued
                    && d.HoldReason != null && d.HoldReason.StartsWith(reasonPrefix)
                    && (tenantId == null || d.TenantId == tenantId) && (subscriptionId == null || d.SubscriptionId == subscriptionId)))
                .Select(q => q.DeliveryId)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return 0;
            }

            int released = await WriteAsync(context, () => InTransactionAsync(context, async () =>
            {
                int rows = await context.Set<QueueRow>().Where(q => ids.Contains(q.DeliveryId) && q.LeaseId == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(q => q.AvailableAt, now), cancellationToken).ConfigureAwait(false);
                await deliveries.Where(d => ids.Contains(d.Id) && d.Status == queued)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.DueAt, now), cancellationToken).ConfigureAwait(false);

                // The rest of their ordered lines waited as long as they did (RowWriter.WaitsBehind): it waits no longer.
                var lines = context.Set<QueueRow>().Where(q => ids.Contains(q.DeliveryId) && q.OrderKey != null).Select(q => q.OrderKey);
                await context.Set<QueueRow>().Where(q => q.LeaseId == null && q.AvailableAt > now && lines.Contains(q.OrderKey))
                    .ExecuteUpdateAsync(s => s.SetProperty(q => q.AvailableAt, now), cancellationToken).ConfigureAwait(false);
                return rows;
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
            _notifications.AnnounceCommitted(Queries(context).Provider);
            return released;
        });
    }
}
