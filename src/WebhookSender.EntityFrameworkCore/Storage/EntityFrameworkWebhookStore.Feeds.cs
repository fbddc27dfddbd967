using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Pull subscriptions' feeds in <c>webhook_feed</c>. On PostgreSQL a read takes only rows whose writing transaction is
/// older than every transaction still running (<c>pg_snapshot_xmin</c>): the position numbers are taken at insert but
/// transactions commit in any order, and without that horizon a row committed late could land behind a cursor that
/// already passed it. SQLite commits its writers one at a time, so the position order is the commit order.
/// </summary>
internal sealed partial class EntityFrameworkWebhookStore : IWebhookFeedStore
{
    public Task<IReadOnlyList<FeedEntry>> ReadFeedAsync(string subscriptionId, FeedPosition after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        return GuardAsync<IReadOnlyList<FeedEntry>>($"reading the feed of subscription '{subscriptionId}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            var rows = await After(context, subscriptionId, after)
                .OrderBy(f => f.Transaction).ThenBy(f => f.Position).Take(limit)
                .AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return [];
            }

            string[] deliveryIds = [.. rows.Select(r => r.DeliveryId)];
            string[] messageIds = [.. rows.Select(r => r.MessageId).Distinct(StringComparer.Ordinal)];
            var deliveries = await context.Set<DeliveryRow>().AsNoTracking().Where(d => deliveryIds.Contains(d.Id))
                .ToDictionaryAsync(d => d.Id, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
            var messages = await context.Set<MessageRow>().AsNoTracking().Where(m => messageIds.Contains(m.Id))
                .ToDictionaryAsync(m => m.Id, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);

            // A row whose message retention removed meanwhile is skipped; the rest keep their order.
            return [.. rows
                .Where(r => deliveries.ContainsKey(r.DeliveryId) && messages.ContainsKey(r.MessageId))
                .Select(r => new FeedEntry(new FeedPosition(r.Transaction, r.Position), RowMapping.ToModel(deliveries[r.DeliveryId]), RowMapping.ToModel(messages[r.MessageId])))];
        });
    }

    public Task AcknowledgeAsync(string subscriptionId, FeedPosition upTo, IReadOnlyList<DeliveryAttempt> attempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        ArgumentNullException.ThrowIfNull(attempts);
        return GuardAsync($"acknowledging the feed of subscription '{subscriptionId}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            await InTransactionAsync(context, async () =>
            {
                var passed = context.Set<FeedRow>().Where(f => f.SubscriptionId == subscriptionId
                    && (f.Transaction < upTo.Transaction || (f.Transaction == upTo.Transaction && f.Position <= upTo.Sequence)));
                long completedAt = RowMapping.Ticks(now);
                int unread = (int)DeliveryStatus.Unread;
                await context.Set<DeliveryRow>()
                    .Where(d => d.Status == unread && passed.Select(f => f.DeliveryId).Contains(d.Id))
                    .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, (int)DeliveryStatus.Succeeded).SetProperty(x => x.CompletedAt, completedAt), cancellationToken)
                    .ConfigureAwait(false);
                await passed.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);

                if (attempts.Count > 0)
                {
                    string[] taken = [.. attempts.Select(a => a.DeliveryId).OfType<string>()];
                    long readAt = RowMapping.Ticks(attempts[0].StartedAt);
                    await context.Set<DeliveryRow>().Where(d => taken.Contains(d.Id))
                        .ExecuteUpdateAsync(d => d.SetProperty(x => x.AttemptCount, x => x.AttemptCount + 1).SetProperty(x => x.LastAttemptAt, readAt).SetProperty(x => x.LastStatusCode, 200), cancellationToken)
                        .ConfigureAwait(false);
                    await Queries(context).Rows.InsertAttemptsAsync(context, AttemptRows.From(attempts), cancellationToken).ConfigureAwait(false);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        });
    }

    public Task<int> MoveDeliveriesAsync(string subscriptionId, bool toFeed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        return GuardAsync($"moving the deliveries of subscription '{subscriptionId}' {(toFeed ? "to its feed" : "to the queue")}", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var context = lease.Context;
            var moved = await InTransactionAsync(context, () => toFeed ? MoveToFeedAsync(context, subscriptionId, cancellationToken) : MoveToQueueAsync(context, subscriptionId, now, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            if (!toFeed && moved.Count > 0)
            {
                await AnnounceAsync(context, moved, cancellationToken).ConfigureAwait(false);
            }

            return moved.Count;
        });
    }

    public Task<WebhookFeedBacklog> GetFeedBacklogAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        return GuardAsync($"counting the feed of subscription '{subscriptionId}'", async () =>
        {
            await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var feed = lease.Context.Set<FeedRow>().AsNoTracking().Where(f => f.SubscriptionId == subscriptionId);
            int count = await feed.CountAsync(cancellationToken).ConfigureAwait(false);
            long? oldest = count == 0 ? null : await feed.MinAsync(f => (long?)f.CreatedAt, cancellationToken).ConfigureAwait(false);
            return new WebhookFeedBacklog(count, RowMapping.Time(oldest));
        });
    }

    /// <summary>The subscription's feed rows after <paramref name="after"/> that no running transaction can still add before (PostgreSQL).</summary>
    private IQueryable<FeedRow> After(DbContext context, string subscriptionId, FeedPosition after)
    {
        var feed = Queries(context).Provider == StoreProvider.Sqlite
            ? context.Set<FeedRow>()
            : context.Set<FeedRow>().FromSqlRaw(_feedHorizonSql ??= FeedHorizonSql(context));
        return feed.Where(f => f.SubscriptionId == subscriptionId
            && (f.Transaction > after.Transaction || (f.Transaction == after.Transaction && f.Position > after.Sequence)));
    }

    private string? _feedHorizonSql;

    private static string FeedHorizonSql(DbContext context)
    {
        var entity = context.Model.FindEntityType(typeof(FeedRow))!;
        var table = RowWriter.Table.Of(entity, context.GetService<Microsoft.EntityFrameworkCore.Storage.ISqlGenerationHelper>());
        string transaction = table.Column(nameof(FeedRow.Transaction)).Name;
        return $"SELECT * FROM {table.Name} WHERE {transaction} < pg_snapshot_xmin(pg_current_snapshot())::text::bigint";
    }

    /// <summary>The subscription's queued deliveries no dispatcher holds become unread rows at the feed's end.</summary>
    private static async Task<List<WebhookDelivery>> MoveToFeedAsync(DbContext context, string subscriptionId, CancellationToken cancellationToken)
    {
        var rows = await (from q in context.Set<QueueRow>()
                          join d in context.Set<DeliveryRow>() on q.DeliveryId equals d.Id
                          where d.SubscriptionId == subscriptionId && q.LeaseId == null
                          orderby d.CreatedAt, d.Id
                          select d).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return [];
        }

        string[] ids = [.. rows.Select(r => r.Id)];
        await context.Set<QueueRow>().Where(q => ids.Contains(q.DeliveryId) && q.LeaseId == null).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var moved = rows.Select(r => RowMapping.ToModel(r) with { Status = DeliveryStatus.Unread, BatchKey = null, OrderKey = null, HoldReason = null }).ToList();
        foreach (var row in rows)
        {
            (row.Status, row.BatchKey, row.OrderKey, row.HoldReason) = ((int)DeliveryStatus.Unread, null, null, null);
        }

        context.AddRange(RowMapping.ToFeedRows(moved));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return moved;
    }

    /// <summary>The subscription's unread rows leave the feed and are queued, due at <paramref name="now"/>.</summary>
    private static async Task<List<WebhookDelivery>> MoveToQueueAsync(DbContext context, string subscriptionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var feed = context.Set<FeedRow>().Where(f => f.SubscriptionId == subscriptionId);
        var rows = await context.Set<DeliveryRow>().Where(d => feed.Select(f => f.DeliveryId).Contains(d.Id))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        await feed.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var moved = rows.Select(r => RowMapping.ToModel(r) with { Status = DeliveryStatus.Queued, DueAt = now }).ToList();
        foreach (var row in rows)
        {
            (row.Status, row.DueAt) = ((int)DeliveryStatus.Queued, RowMapping.Ticks(now));
        }

        context.AddRange(RowMapping.ToQueueRows(moved));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return moved;
    }
}
