using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// The backlog as one aggregate statement over <c>webhook_queue</c>, which holds a row per pending delivery only (the
/// delivery history stays out of it). A tenant is found through each queue row's delivery by its primary key.
/// </summary>
internal static class BacklogQuery
{
    /// <summary>The counts at <paramref name="nowTicks"/>: one row, or none when nothing (of the tenant) is pending.</summary>
    public static IQueryable<BacklogCounts> Build(DbContext context, string? tenantId, long nowTicks)
    {
        var queue = context.Set<QueueRow>().AsNoTracking();
        if (tenantId is not null)
        {
            // A scalar subquery, not a join or EXISTS: PostgreSQL plans those as a hash join over a scan of the whole
            // deliveries table (the history), where this looks each pending delivery up by its primary key.
            var deliveries = context.Set<DeliveryRow>();
            queue = queue.Where(q => deliveries.Where(d => d.Id == q.DeliveryId).Select(d => d.TenantId).FirstOrDefault() == tenantId);
        }

        // A queue row is available at its due time while waiting and at its lease expiry while leased: available now is
        // due (a lapsed lease included), later and leased is in flight, later and not leased waits. A row of an ordered
        // line behind an earlier row of it waits too, whatever its time: the queue will not hand it out yet.
        var all = context.Set<QueueRow>();
        return queue
            .Select(q => new
            {
                q.AvailableAt,
                q.LeaseId,
                Behind = q.OrderKey != null && all.Any(p => p.OrderKey == q.OrderKey
                    && (p.OrderedAt < q.OrderedAt || (p.OrderedAt == q.OrderedAt && string.Compare(p.DeliveryId, q.DeliveryId) < 0))),
            })
            .GroupBy(_ => 1)
            .Select(g => new BacklogCounts(
                g.Count(q => q.AvailableAt <= nowTicks && !q.Behind),
                g.Count(q => q.AvailableAt > nowTicks && q.LeaseId != null),
                g.Count(q => (q.AvailableAt > nowTicks && q.LeaseId == null) || (q.AvailableAt <= nowTicks && q.Behind)),
                g.Min(q => q.Behind ? null : (long?)q.AvailableAt)));
    }
}
