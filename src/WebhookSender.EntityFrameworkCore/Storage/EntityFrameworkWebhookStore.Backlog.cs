using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

internal sealed partial class EntityFrameworkWebhookStore
{
    /// <summary>
    /// One aggregate statement over the queue table (a row per pending delivery; finished ones are not in it), joined to
    /// the deliveries by primary key only when a tenant is given. Its cost grows with the pending deliveries, not with
    /// the history the retention keeps.
    /// </summary>
    public Task<WebhookBacklog> GetBacklogAsync(string? tenantId, CancellationToken cancellationToken) =>
        GuardAsync("counting the pending deliveries", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var now = _timeProvider.GetUtcNow();
            long nowTicks = RowMapping.Ticks(now);
            var counts = await BacklogQuery.Build(lease.Context, tenantId, nowTicks).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return new WebhookBacklog
            {
                Due = counts?.Due ?? 0,
                InFlight = counts?.InFlight ?? 0,
                Waiting = counts?.Waiting ?? 0,
                OldestDueAt = counts is { Due: > 0, EarliestAvailableAt: { } earliest } ? RowMapping.Time(earliest) : null,
                MeasuredAt = now,
            };
        });
}
