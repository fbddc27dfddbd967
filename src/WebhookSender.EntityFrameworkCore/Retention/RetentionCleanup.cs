using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// The hosted retention cleanup: every <see cref="EntityFrameworkStoreOptions.CleanupInterval"/> removes succeeded and
/// failed deliveries completed longer ago than their retention, with their attempts (request and response bodies),
/// then messages left without deliveries, with the request bodies their attempts sent. Pending deliveries and their messages are never touched. Idle when no
/// retention is set.
/// </summary>
internal sealed class RetentionCleanup(
    IWebhookContextFactory contexts,
    IOptions<EntityFrameworkStoreOptions> options,
    TimeProvider timeProvider,
    ILogger<RetentionCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan LimitsKept = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.SucceededRetention is null && settings.FailedRetention is null && settings.UnreadRetention is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.RetentionFailed(logger, ex, settings.CleanupInterval);
            }

            try
            {
                await Task.Delay(settings.CleanupInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One cleanup pass; returns how many succeeded and failed deliveries and messages it removed.</summary>
    public async Task<(int Succeeded, int Failed, int Messages)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        int succeeded = 0;
        int failed = 0;
        int messages = 0;
        if (settings.SucceededRetention is { } keepSucceeded)
        {
            succeeded = await RemoveDeliveriesAsync(DeliveryStatus.Succeeded, RowMapping.Ticks(now - keepSucceeded), cancellationToken).ConfigureAwait(false);
        }

        if (settings.FailedRetention is { } keepFailed)
        {
            failed = await RemoveDeliveriesAsync(DeliveryStatus.Failed, RowMapping.Ticks(now - keepFailed), cancellationToken).ConfigureAwait(false);
        }

        if (settings.UnreadRetention is { } keepUnread && await ExpireUnreadAsync(RowMapping.Ticks(now - keepUnread), RowMapping.Ticks(now), cancellationToken).ConfigureAwait(false) is > 0 and var expired)
        {
            Log.UnreadExpired(logger, expired, keepUnread);
        }

        // Messages go once no delivery refers to them and they are older than the shortest retention.
        if (new[] { settings.SucceededRetention, settings.FailedRetention }.Where(r => r is not null).Min() is { } shortest)
        {
            messages = await RemoveMessagesAsync(RowMapping.Ticks(now - shortest), cancellationToken).ConfigureAwait(false);
        }

        await RemoveExpiredLimitsAsync(RowMapping.Ticks(now - LimitsKept), cancellationToken).ConfigureAwait(false);
        if (succeeded + failed + messages > 0)
        {
            Log.RetentionRemoved(logger, succeeded, failed, messages);
        }

        return (succeeded, failed, messages);
    }

    /// <summary>Pull messages unread since before <paramref name="createdBefore"/> fail and leave their feeds, a batch per transaction.</summary>
    private async Task<int> ExpireUnreadAsync(long createdBefore, long now, CancellationToken cancellationToken)
    {
        int batchSize = options.Value.CleanupBatchSize;
        int expired = 0;
        while (true)
        {
            await using var lease = await contexts.CreateAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            int count = await EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
            {
                var rows = await context.Set<FeedRow>().Where(f => f.CreatedAt < createdBefore).OrderBy(f => f.Position).Take(batchSize)
                    .Select(f => new { f.Position, f.DeliveryId }).ToListAsync(cancellationToken).ConfigureAwait(false);
                long[] positions = [.. rows.Select(r => r.Position)];
                string[] ids = [.. rows.Select(r => r.DeliveryId)];
                int unread = (int)DeliveryStatus.Unread;
                await context.Set<DeliveryRow>().Where(d => ids.Contains(d.Id) && d.Status == unread)
                    .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, (int)DeliveryStatus.Failed).SetProperty(x => x.CompletedAt, now), cancellationToken)
                    .ConfigureAwait(false);
                await context.Set<FeedRow>().Where(f => positions.Contains(f.Position)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                return rows.Count;
            }, cancellationToken).ConfigureAwait(false);
            expired += count;
            if (count < batchSize)
            {
                return expired;
            }
        }
    }

    private async Task<int> RemoveDeliveriesAsync(DeliveryStatus status, long completedBefore, CancellationToken cancellationToken)
    {
        int batchSize = options.Value.CleanupBatchSize;
        int removed = 0;
        (long CreatedAt, string Id)? after = null;
        while (true)
        {
            await using var lease = await contexts.CreateAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            int code = (int)status;

            // By creation time, whose index never changes (an index on the completion time would make finishing a delivery
            // write to it, see QueueRow): a delivery completed before the cutoff was created before it. One pass walks the
            // older deliveries once, from where the last batch ended, past those kept for longer or still on their way.
            var candidates = context.Set<DeliveryRow>().Where(d => d.CreatedAt < completedBefore && d.Status == code && d.CompletedAt < completedBefore);
            if (after is { } last)
            {
                candidates = candidates.Where(d => d.CreatedAt > last.CreatedAt || (d.CreatedAt == last.CreatedAt && string.Compare(d.Id, last.Id) > 0));
            }

            var found = await candidates
                .OrderBy(d => d.CreatedAt)
                .ThenBy(d => d.Id)
                .Select(d => new { d.Id, d.CreatedAt })
                .Take(batchSize)
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            var ids = found.Select(d => d.Id).ToList();
            after = found.Count > 0 ? (found[^1].CreatedAt, found[^1].Id) : after;

            // Test attempts have no delivery; they go by their own start time and outcome. One transaction per batch, under
            // the context's execution strategy (hosts may enable retries on failure).
            bool succeeded = status == DeliveryStatus.Succeeded;
            await context.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                if (ids.Count > 0)
                {
                    await context.Set<AttemptRow>().Where(a => a.DeliveryId != null && ids.Contains(a.DeliveryId))
                        .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await context.Set<DeliveryRow>().Where(d => ids.Contains(d.Id) && d.Status == code)
                        .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }

                await context.Set<AttemptRow>().Where(a => a.DeliveryId == null && a.Succeeded == succeeded && a.StartedAt < completedBefore)
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            removed += ids.Count;
            if (ids.Count < batchSize)
            {
                return removed;
            }
        }
    }

    /// <summary>
    /// Rate-limit buckets full again and quota windows over hold nothing a new row would not; they go a day after their
    /// expiry (the day lets a window's count be read while it is still news).
    /// </summary>
    private async Task RemoveExpiredLimitsAsync(long expiredBefore, CancellationToken cancellationToken)
    {
        await using var lease = await contexts.CreateAsync(cancellationToken).ConfigureAwait(false);
        await lease.Context.Set<LimitRow>().Where(l => l.ExpiresAt < expiredBefore).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RemoveMessagesAsync(long createdBefore, CancellationToken cancellationToken)
    {
        int batchSize = options.Value.CleanupBatchSize;
        int removed = 0;
        while (true)
        {
            await using var lease = await contexts.CreateAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            var deliveries = context.Set<DeliveryRow>();
            var ids = await context.Set<MessageRow>()
                .Where(m => m.CreatedAt < createdBefore && !deliveries.Any(d => d.MessageId == m.Id))
                .OrderBy(m => m.CreatedAt)
                .Select(m => m.Id)
                .Take(batchSize)
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return removed;
            }

            // Re-checked in the delete: a redelivery may have added a delivery since the ids were read. The request bodies
            // the message's attempts sent go with it.
            var messages = context.Set<MessageRow>();
            removed += await EntityFrameworkWebhookStore.InTransactionAsync(context, async () =>
            {
                int count = await messages
                    .Where(m => ids.Contains(m.Id) && !deliveries.Any(d => d.MessageId == m.Id))
                    .ExecuteDeleteAsync(cancellationToken)
                    .ConfigureAwait(false);
                await context.Set<BodyRow>()
                    .Where(b => ids.Contains(b.MessageId) && !messages.Any(m => m.Id == b.MessageId))
                    .ExecuteDeleteAsync(cancellationToken)
                    .ConfigureAwait(false);
                return count;
            }, cancellationToken).ConfigureAwait(false);
            if (ids.Count < batchSize)
            {
                return removed;
            }
        }
    }
}
